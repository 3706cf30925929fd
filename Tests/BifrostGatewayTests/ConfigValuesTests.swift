import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// Configuration values through the API and in runs: typed, per scope with global fallback, secrets hidden.
@Suite struct ConfigValuesTests {
    @Test func valuesAreTypedScopedAndFallBackToGlobal() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            #expect(try await world.admin(.put, "/api/config/api_url", ["value": "https://global.example", "type": "string"]).status == .ok)
            #expect(try await world.adminA(.put, "/api/config/page_size", ["value": 50, "type": "int"]).status == .ok)
            #expect(try await world.adminA(.put, "/api/config/page_size", ["value": "fifty", "type": "int"]).status == .unprocessableContent)
            #expect(try await world.adminA(.put, "/api/config/bad-key", ["value": 1, "type": "int"]).status == .unprocessableContent)
            let token = "cfg-secret-\(UUID().uuidString)"
            let (status, stored) = try await world.adminA(.put, "/api/config/vendor_token", ["value": token, "type": "secret"])
            #expect(status == .ok)
            #expect((stored as? [String: Any])?["value"] as? String == "[SECRET]")
            let (_, listed) = try await world.adminA(.get, "/api/config")
            let entries = try #require(listed as? [[String: Any]])
            #expect(entries.map { $0["key"] as? String } == ["page_size", "vendor_token"])
            #expect(entries.first?["value"] as? Int == 50)
            #expect(!String(decoding: try JSONSerialization.data(withJSONObject: entries), as: UTF8.self).contains(token))
            #expect((try await world.adminB(.get, "/api/config").json as? [Any])?.isEmpty == true)
            #expect(try await world.memberA(.get, "/api/config").status == .forbidden)

            // In a run: the global address (no organisation value), then the organisation's once set.
            let (_, first) = try await world.memberA(.post, "/api/workflows/configure_api/execute", ["input": ["url": "https://contoso.example"]])
            #expect(((first as? [String: Any])?["result"] as? [String: Any])?["api_url"] as? String == "https://global.example")
            let (_, second) = try await world.memberA(.post, "/api/workflows/configure_api/execute", ["input": [:]])
            #expect(((second as? [String: Any])?["result"] as? [String: Any])?["api_url"] as? String == "https://contoso.example")
            let (_, other) = try await world.adminB(.post, "/api/workflows/configure_api/execute", ["input": [:]])
            #expect(((other as? [String: Any])?["result"] as? [String: Any])?["api_url"] as? String == "https://global.example")
            let store = PostgresConfig(client: context.database, keys: context.keyRing, logger: TestPostgres.logger)
            #expect(try await store.value("vendor_token", for: .organization(world.orgA))?.value == .string(token))

            // The secret-typed value is sealed at rest.
            let rows = try await context.database.query(
                "SELECT count(*) FROM config AS t WHERE t::text LIKE \("%" + token + "%")", logger: TestPostgres.logger
            )
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
            #expect(try await world.adminA(.delete, "/api/config/page_size").status == .noContent)
            #expect(try await world.adminA(.delete, "/api/config/page_size").status == .notFound)
        }
    }
}
