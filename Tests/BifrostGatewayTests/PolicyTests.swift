import BifrostGateway
import Foundation
import HTTPTypes
import Testing
import Yams

@Suite struct PolicyTests {
    private let known: Set<String> = ["getLiveness", "login", "getCurrentPrincipal"]

    @Test func everyOperationOfTheContractIsGrantedOrPublic() throws {
        let policy = try AccessPolicy.load(directory: nil)
        let operations = try AccessPolicy.operationIDs(in: Contract.openAPIDocument())
        #expect(!operations.isEmpty)
        for operation in operations {
            let granted =
                policy.publicOperations.contains(operation)
                || policy.grants.values.contains { $0.contains(operation) }
            #expect(granted, "\(operation) is neither public nor granted to any role")
        }
    }

    @Test func defaultDenyForAnythingNotGranted() throws {
        let policy = try AccessPolicy(
            files: [("p.yaml", "public: [getLiveness]\nroles:\n  org_member: [getCurrentPrincipal]\n")],
            knownOperations: known
        )
        #expect(policy.decide(operationID: "getLiveness", role: nil) == .allow)
        #expect(policy.decide(operationID: "getCurrentPrincipal", role: nil) == .unauthenticated)
        #expect(policy.decide(operationID: "getCurrentPrincipal", role: "org_member") == .allow)
        #expect(policy.decide(operationID: "login", role: "org_member") == .forbidden)
        #expect(policy.decide(operationID: "getCurrentPrincipal", role: "auditor") == .forbidden)
    }

    @Test func unknownOperationStopsLoadingWithFileAndLine() throws {
        let error = #expect(throws: AccessPolicy.Invalid.self) {
            try AccessPolicy(
                files: [
                    ("Policies/roles.yaml", "public:\n  - getLiveness\nroles:\n  org_admin:\n    - deleteEverything\n")
                ],
                knownOperations: known
            )
        }
        #expect(error?.file == "Policies/roles.yaml")
        #expect(error?.line == 5)
        #expect(error?.description.contains("deleteEverything") == true)
    }
}

/// Every operation of the contract has a route: the generated handlers (filtered by tag) and the routes served
/// beside them together cover `openapi.yaml`.
@Suite struct RouteCoverageTests {
    @Test func everyOperationOfTheContractIsRouted() async throws {
        let document = try #require(try Yams.load(yaml: Contract.openAPIDocument()) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let operations = paths.flatMap { path, methods in
            methods.keys.filter { ["get", "post", "put", "patch", "delete"].contains($0) }.map { (path, $0) }
        }
        try await OrganizationAndUserTests.withWorld { world, _ in
            for (path, method) in operations {
                // Any value fills a path parameter: a handler's own 404 differs from the router's.
                let uri = path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "x", options: .regularExpression)
                do {
                    let (status, body) = try await world.admin(
                        HTTPRequest.Method(rawValue: method.uppercased())!, uri, [:])
                    let unrouted =
                        status == .notFound
                        && (body as? [String: Any])?["detail"] as? String == "There is nothing at this address."
                    #expect(!unrouted && status != .methodNotAllowed, "\(method.uppercased()) \(path) has no route")
                }
            }
        }
    }
}
