import BifrostGateway
import Foundation
import HummingbirdTesting
import Testing

@Suite struct HealthTests {
    private func checks(_ response: TestResponse) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        return try #require(object?["checks"] as? [String: String])
    }

    @Test func readyWhenTheDatabaseAnswersAndTheSchemaIsCurrent() async throws {
        try await GatewayHarness.withGateway { client, _ in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let found = try checks(response)
                #expect(found == ["database": "ok", "schema": "ok"])
            }
        }
    }

    @Test func notReadyWhileMigrationsArePending() async throws {
        try await GatewayHarness.withGateway(migrate: false) { client, _ in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let found = try checks(response)
                #expect(found["schema"] == "migrations pending")
            }
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}
