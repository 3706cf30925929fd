import BifrostClient
import BifrostTestSupport
import Foundation
import Testing

/// A Swift program calls the gateway with the types of the `BifrostClient` product, generated from the contract.
@Suite struct SwiftClientTests {
    @Test func aSwiftProgramCallsTheGatewayWithTypesAndAnAPIKey() async throws {
        try await RunningGateway.with { gateway, _ in
            let (_, organization) = try await ServerProcess.send(
                .POST, "\(gateway.baseURL)/api/organizations", json: ["name": "Typed Org"],
                headers: gateway.adminHeaders)
            let organizationID = try #require(organization["id"] as? String)
            let (_, created) = try await ServerProcess.send(
                .POST, "\(gateway.baseURL)/api/api-keys", json: ["name": "typed", "role": "org_admin"],
                headers: gateway.adminHeaders.merging(["X-Organization-Id": organizationID]) { $1 })
            let key = try #require(created["key"] as? String)

            let client = Client.gateway(at: try #require(URL(string: gateway.baseURL)), apiKey: key)
            let workflows = try await client.listWorkflows().ok.body.json
            #expect(workflows.contains { $0.name == "quick_lookup" })
            let refused = try await Client.gateway(at: try #require(URL(string: gateway.baseURL)), apiKey: "bfk_wrong")
                .listWorkflows()
            guard case .undocumented(statusCode: 401, _) = refused else {
                Issue.record("a wrong key was not refused: \(refused)")
                return
            }
        }
    }
}
