import BifrostStore
import BifrostTestSupport
import Foundation
import NIOHTTP1
import PostgresNIO
import Testing

/// The real server at its most talkative log level: secrets set through the API, read by runs, and re-encrypted
/// by a key rotation appear in no table and nowhere in the server's output.
@Suite struct SecretLeakTests {
    @Test func noSecretValueReachesATableOrTheServerLog() async throws {
        try await RunningGateway.with(environment: ["BIFROST_LOG_LEVEL": "trace"]) { gateway, url in
            let call = Caller(base: gateway.baseURL, token: gateway.adminToken)
            let server = gateway.process
            let organization = try #require(
                try await call(.POST, "/api/organizations", ["name": "Contoso"]).body["id"] as? String)

            let marker = "leakcheck-\(UUID().uuidString.prefix(8))"
            let values = ["\(marker)-global", "\(marker)-org", "\(marker)-config"]
            #expect(try await call(.PUT, "/api/secrets/smtp_password", ["value": values[0]]).status == 201)
            #expect(
                try await call(.PUT, "/api/secrets/api_token", ["value": values[1]], organization: organization).status
                    == 201)
            #expect(
                try await call(
                    .PUT, "/api/config/api_key", ["value": values[2], "type": "secret"], organization: organization
                ).status == 200)
            for name in ["api_token", "smtp_password"] {
                let run = try await call(
                    .POST, "/api/workflows/check_secret/execute", ["input": ["name": name]], organization: organization)
                #expect((run.body["result"] as? [String: Any])?["exists"] as? Bool == true, "\(run.body)")
            }
            let rotated = try await call(
                .POST, "/api/admin/keys/rotate", ["kind": "data_key", "organization_id": organization])
            #expect(rotated.body["reencrypted"] as? Int == 2, "\(rotated.body)")

            server.signal(SIGTERM)
            #expect(await server.waitForExit(within: .seconds(60)) == 0)
            #expect(server.output.contains("trace"), "the server logged at trace level")
            #expect(!server.output.contains(marker), "a secret value reached the server's output")

            try await TestPostgres.withClient(url) { client in
                let tables = try await client.query(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'", logger: TestPostgres.logger
                )
                var names: [String] = []
                for try await name in tables.decode(String.self) { names.append(name) }
                #expect(names.contains("secrets") && names.contains("config") && names.contains("execution_logs"))
                for table in names {
                    let rows = try await client.query(
                        PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) AS t WHERE t::text LIKE '%\(marker)%'"),
                        logger: TestPostgres.logger
                    )
                    for try await count in rows.decode(Int.self) {
                        #expect(count == 0, "\(table) holds a secret value")
                    }
                }
            }
        }
    }
}
