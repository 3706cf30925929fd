import BifrostGateway
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite struct APIKeyTests {
    typealias World = OrganizationAndUserTests.World

    private func me(_ client: any TestClientProtocol, headers: HTTPFields) async throws -> (
        HTTPResponse.Status, [String: Any]
    ) {
        try await client.execute(uri: "/auth/me", method: .get, headers: headers) { ($0.status, AuthFixtures.json($0)) }
    }

    private func createKey(_ caller: AdminAPITestClient, _ body: [String: Any]) async throws -> (
        id: String, key: String
    ) {
        let created = try await caller(.post, "/api/api-keys", body)
        #expect(created.status == .created)
        let json = try #require(created.json as? [String: Any])
        let record = try #require(json["api_key"] as? [String: Any])
        return (try #require(record["id"] as? String), try #require(json["key"] as? String))
    }

    @Test func keyIsShownOnceAndAuthenticatesInItsOrganization() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let (id, key) = try await createKey(world.adminA, ["name": "billing sync", "role": "org_member"])
            #expect(key.hasPrefix("bfk_"))
            #expect(key.count == 4 + 43)

            let list = try await world.adminA(.get, "/api/api-keys")
            let listed = try #require((list.json as? [[String: Any]])?.first)
            #expect(listed["id"] as? String == id)
            #expect(listed["prefix"] as? String == String(key.prefix(12)))
            #expect(!String(describing: list.json).contains(key))

            for headers: HTTPFields in [[HTTPField.Name("X-Bifrost-Key")!: key], [.authorization: "Bearer \(key)"]] {
                let (status, body) = try await me(context.client, headers: headers)
                #expect(status == .ok)
                #expect(body["kind"] as? String == "api_key")
                #expect(body["role"] as? String == "org_member")
                #expect(body["scope"] as? String == world.orgA.uuidString.lowercased())
            }
            var other: HTTPFields = [HTTPField.Name("X-Bifrost-Key")!: key]
            other[HTTPField.Name("X-Organization-Id")!] = world.orgB.uuidString
            #expect(try await me(context.client, headers: other).0 == .forbidden)

            // Nothing stores the key itself.
            let rows = try await context.database.query(
                "SELECT count(*)::int FROM api_keys WHERE key_hash = \(key) OR prefix = \(key)",
                logger: TestPostgres.logger
            )
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
        }
    }

    @Test func revokedUnknownAndExpiredKeysAreRefused() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let (id, key) = try await createKey(world.adminA, ["name": "short lived", "role": "org_admin"])
            let header: HTTPFields = [HTTPField.Name("X-Bifrost-Key")!: key]
            #expect(try await me(context.client, headers: header).0 == .ok)
            #expect(try await world.adminA(.delete, "/api/api-keys/\(id)").status == .noContent)
            #expect(try await me(context.client, headers: header).0 == .unauthorized)

            let unknown: HTTPFields = [HTTPField.Name("X-Bifrost-Key")!: "bfk_" + String(repeating: "A", count: 43)]
            #expect(try await me(context.client, headers: unknown).0 == .unauthorized)

            let (expiringID, expiring) = try await createKey(world.adminA, ["name": "expiring", "role": "org_member"])
            try await context.database.query(
                "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = \(UUID(uuidString: expiringID)!)",
                logger: TestPostgres.logger
            )
            #expect(
                try await me(context.client, headers: [HTTPField.Name("X-Bifrost-Key")!: expiring]).0 == .unauthorized)
            let past = try await world.adminA(
                .post, "/api/api-keys", ["name": "x", "role": "org_member", "expires_at": "2000-01-01T00:00:00Z"])
            #expect(past.status == .unprocessableContent)
        }
    }

    @Test func organizationsNeitherSeeNorRevokeEachOthersKeys() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let (id, key) = try await createKey(world.adminA, ["name": "a-key", "role": "org_member"])
            let listB = try await world.adminB(.get, "/api/api-keys")
            #expect((listB.json as? [Any])?.isEmpty == true)
            #expect(try await world.adminB(.delete, "/api/api-keys/\(id)").status == .notFound)
            #expect(try await me(context.client, headers: [HTTPField.Name("X-Bifrost-Key")!: key]).0 == .ok)
            #expect(
                try await world.memberA(.post, "/api/api-keys", ["name": "m", "role": "org_member"]).status
                    == .forbidden)
            let escalate = try await world.adminA(.post, "/api/api-keys", ["name": "p", "role": "platform_admin"])
            #expect(escalate.status == .unprocessableContent)
            // A member's key cannot manage keys either: the role travels with the key.
            let memberKey = AdminAPITestClient(client: context.client, token: key)
            #expect(try await memberKey(.get, "/api/api-keys").status == .forbidden)
        }
    }

    @Test func platformAdminMakesGlobalKeysAndSeesEveryKeyWithScopeAll() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            _ = try await createKey(world.adminA, ["name": "a-key", "role": "org_member"])
            let (_, global) = try await createKey(world.admin, ["name": "deploy", "role": "platform_admin"])
            let (status, body) = try await me(context.client, headers: [HTTPField.Name("X-Bifrost-Key")!: global])
            #expect(status == .ok)
            #expect(body["scope"] as? String == "global")
            #expect(body["is_platform_admin"] as? Bool == true)
            let all = try await world.admin(.get, "/api/api-keys?scope=all")
            #expect((all.json as? [[String: Any]])?.count == 2)
            let globalOnly = try await world.admin(.get, "/api/api-keys")
            #expect((globalOnly.json as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["deploy"])
        }
    }

    @Test func auditShowsEachOrganizationItsOwnEventsAndNeverAKey() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            let (_, key) = try await createKey(world.adminA, ["name": "audited", "role": "org_member"])
            _ = try await world.adminB(.post, "/api/users", ["email": "b2@fabrikam.example", "role": "org_member"])
            let auditA = try await world.adminA(.get, "/api/audit")
            let actionsA = (auditA.json as? [[String: Any]])?.compactMap { $0["action"] as? String }
            #expect(actionsA == ["api_key.create"])
            let auditB = try await world.adminB(.get, "/api/audit")
            #expect((auditB.json as? [[String: Any]])?.compactMap { $0["action"] as? String } == ["user.create"])
            #expect(try await world.adminA(.get, "/api/audit?scope=all").status == .forbidden)
            let all = try await world.admin(.get, "/api/audit?scope=all")
            #expect((all.json as? [[String: Any]])?.count == 2)
            #expect(!String(describing: all.json).contains(key))
            #expect(try await world.memberA(.get, "/api/audit").status == .forbidden)
        }
    }
}
