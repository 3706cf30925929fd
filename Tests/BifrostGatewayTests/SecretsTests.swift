import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// Secrets through the API: write-only, per scope, encrypted at rest, and a run's fallback to global ones.
@Suite struct SecretsTests {
    @Test func secretsAreWriteOnlyScopedAndNeverStoredInTheClear() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let value = "s3cr3t-A-\(UUID().uuidString)"
            let put = try await world.adminA(
                .put, "/api/secrets/graph_client_secret", ["value": value, "description": "Graph app"])
            #expect(put.status == .created)
            #expect((put.json as? [String: Any])?["value"] == nil)
            #expect(
                try await world.adminA(.put, "/api/secrets/graph_client_secret", ["value": value + "2"]).status == .ok)
            let (_, listed) = try await world.adminA(.get, "/api/secrets")
            let listing = try #require(listed as? [[String: Any]])
            #expect(listing.map { $0["name"] as? String } == ["graph_client_secret"])
            #expect(listing.first?["description"] as? String == "Graph app")
            #expect(listing.first?["value"] == nil)

            // Another organisation sees none of it, cannot delete it, and keeps its own of the same name.
            #expect((try await world.adminB(.get, "/api/secrets").json as? [Any])?.isEmpty == true)
            #expect(try await world.adminB(.delete, "/api/secrets/graph_client_secret").status == .notFound)
            #expect(
                try await world.adminB(.put, "/api/secrets/graph_client_secret", ["value": "b-value"]).status
                    == .created)
            // Members may not manage secrets; bad names and extra fields are refused.
            #expect(try await world.memberA(.get, "/api/secrets").status == .forbidden)
            #expect(
                try await world.adminA(.put, "/api/secrets/bad%20name", ["value": "x"]).status == .unprocessableContent)
            #expect(
                try await world.adminA(.put, "/api/secrets/x", ["value": "x", "colour": "red"]).status
                    == .unprocessableContent)
            // A platform admin in global scope keeps global secrets.
            #expect(
                try await world.admin(.put, "/api/secrets/smtp_password", ["value": "global-smtp"]).status == .created)

            // A run reads its organisation's value, else the global one.
            let store = PostgresSecretRepository(
                client: context.database, keys: context.keyRing, logger: TestPostgres.logger)
            #expect(try await store.value("graph_client_secret", for: .organization(world.orgA)) == value + "2")
            #expect(try await store.value("graph_client_secret", for: .organization(world.orgB)) == "b-value")
            #expect(try await store.value("smtp_password", for: .organization(world.orgA)) == "global-smtp")
            #expect(try await store.value("missing", for: .organization(world.orgA)) == nil)

            // No table holds the value in the clear.
            let tables = try await context.database.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'", logger: TestPostgres.logger
            )
            var names: [String] = []
            for try await name in tables.decode(String.self) { names.append(name) }
            for table in names {
                let rows = try await context.database.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) AS t WHERE t::text LIKE '%s3cr3t-A-%'"),
                    logger: TestPostgres.logger
                )
                for try await count in rows.decode(Int.self) { #expect(count == 0, "\(table)") }
            }
            #expect(try await world.adminA(.delete, "/api/secrets/graph_client_secret").status == .noContent)
            #expect(try await store.value("graph_client_secret", for: .organization(world.orgA)) == nil)
        }
    }
}
