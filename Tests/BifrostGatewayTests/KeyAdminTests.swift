import BifrostStore
import BifrostTestSupport
import Foundation
import Testing

/// Key status and rotation through the API: platform admins only; a data-key rotation keeps every value readable.
@Suite struct KeyAdminTests {
    @Test func platformAdminsRotateADataKeyAndSeeTheStatusOthersCannot() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            #expect(try await world.adminA(.put, "/api/secrets/graph", ["value": "value of A"]).status == .created)
            #expect(try await world.adminB(.put, "/api/secrets/graph", ["value": "value of B"]).status == .created)

            // Organisation users may neither look nor rotate.
            #expect(try await world.adminA(.get, "/api/admin/keys").status == .forbidden)
            #expect(try await world.adminA(.post, "/api/admin/keys/rotate", ["kind": "master"]).status == .forbidden)

            let rotated = try await world.admin(
                .post, "/api/admin/keys/rotate", ["kind": "data_key", "organization_id": world.orgA.uuidString]
            )
            #expect(rotated.status == .ok)
            let body = try #require(rotated.json as? [String: Any])
            #expect(body["data_key_version"] as? Int == 2)
            #expect(body["reencrypted"] as? Int == 1)
            let store = PostgresSecretRepository(
                client: context.database, keys: context.keyRing, logger: TestPostgres.logger)
            #expect(try await store.value("graph", for: .organization(world.orgA)) == "value of A")
            #expect(try await store.value("graph", for: .organization(world.orgB)) == "value of B")

            // Nothing to re-wrap: the master key has not changed.
            let master = try await world.admin(.post, "/api/admin/keys/rotate", ["kind": "master"])
            #expect(master.status == .ok)
            #expect((master.json as? [String: Any])?["rewrapped"] as? Int == 0)

            let status = try #require(try await world.admin(.get, "/api/admin/keys").json as? [String: Any])
            let versions = try #require(status["master_versions"] as? [[String: Any]])
            #expect(versions.count == 1)
            #expect(versions.first?["current"] as? Bool == true)
            // A's two versions, B's one, and the global one sealing the signing key.
            #expect(versions.first?["data_keys"] as? Int == 4)
            #expect(status["values_under_older_data_keys"] as? Int == 0)

            // Bad input names its field; an unknown organisation is 404.
            let unknown = try await world.admin(
                .post, "/api/admin/keys/rotate", ["kind": "data_key", "organization_id": UUID().uuidString])
            #expect(unknown.status == .notFound)
            let wrongKind = try await world.admin(.post, "/api/admin/keys/rotate", ["kind": "everything"])
            #expect(wrongKind.status == .unprocessableContent)
            let misplaced = try await world.admin(
                .post, "/api/admin/keys/rotate", ["kind": "master", "organization_id": world.orgA.uuidString])
            #expect(misplaced.status == .unprocessableContent)
            #expect("\(misplaced.json ?? "")".contains("organization_id"))
        }
    }
}
