import BifrostGateway
import BifrostStore
import BifrostTestSupport
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

    /// Another replica holds the migration lock (it is migrating): this one waits for it and is not ready, though
    /// it is live.
    @Test func notReadyWhileMigrationsArePending() async throws {
        try await TestPostgres.withDatabase(migrated: false) { url in
            try await TestPostgres.withClient(url) { database in
                try await database.withConnection { otherReplica in
                    try await otherReplica.query(
                        "SELECT pg_advisory_lock(\(Migrator.lockKey))", logger: TestPostgres.logger)
                    let dependencies = try await GatewayHarness.dependencies(database: database)
                    try await GatewayHarness.withGateway(dependencies, waitForSchema: false) { client, _ in
                        try await client.execute(uri: "/health/ready", method: .get) { response in
                            #expect(response.status == .serviceUnavailable)
                            let found = try checks(response)
                            #expect(found["schema"] == "migrations pending")
                        }
                        try await client.execute(uri: "/health/live", method: .get) { response in
                            #expect(response.status == .ok)
                        }
                    }
                    #expect(!dependencies.schema.isCurrent)
                }
            }
        }
    }
}
