import BifrostCrypto
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import Testing

/// Access-token signing keys live in the database: every replica signs with the same key, a rotation makes a new
/// key sign while the old one keeps verifying, and the public keys are published as a JWK set.
@Suite struct SigningKeyTests {
    @Test func aRotatedKeySignsWhileTheOldOneVerifiesAndBothArePublished() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let first = try #require(context.tokens.signingKeyID)
            let before = try await context.token(for: world.userA)
            #expect(Self.keyID(of: before) == first)

            #expect(
                try await world.adminA(.post, "/api/admin/keys/rotate", ["kind": "signing_key"]).status == .forbidden)
            let misplaced = try await world.admin(
                .post, "/api/admin/keys/rotate", ["kind": "signing_key", "organization_id": world.orgA.uuidString])
            #expect(misplaced.status == .unprocessableContent)

            let rotated = try await world.admin(.post, "/api/admin/keys/rotate", ["kind": "signing_key"])
            #expect(rotated.status == .ok)
            let second = try #require((rotated.json as? [String: Any])?["signing_key_id"] as? String)
            #expect(second != first)
            #expect(context.tokens.signingKeyID == second)

            // A token signed before the rotation is still accepted; a new one names the new key.
            let old = AdminAPITestClient(client: context.client, token: before)
            #expect(try await old(.get, "/auth/me").status == .ok)
            let after = try await context.token(for: world.userA)
            #expect(Self.keyID(of: after) == second)
            #expect(try await AdminAPITestClient(client: context.client, token: after)(.get, "/auth/me").status == .ok)

            // Anyone may read the public keys, the signing one first; nothing private is in them.
            let published = try await context.client.execute(uri: "/.well-known/jwks.json", method: .get) {
                ($0.status, AuthFixtures.json($0))
            }
            #expect(published.0 == .ok)
            let keys = try #require(published.1["keys"] as? [[String: Any]])
            #expect(keys.compactMap { $0["kid"] as? String } == [second, first])
            #expect(keys.allSatisfy { $0["kty"] as? String == "EC" && $0["alg"] as? String == "ES256" })
            #expect(keys.allSatisfy { $0["d"] == nil && ($0["x"] as? String)?.isEmpty == false })

            let status = try #require(try await world.admin(.get, "/api/admin/keys").json as? [String: Any])
            let listed = try #require(status["signing_keys"] as? [[String: Any]])
            #expect(listed.compactMap { $0["kid"] as? String } == [second, first])
            #expect(listed.compactMap { $0["signs"] as? Bool } == [true, false])

            // The private key is stored sealed, never in clear.
            let rows = try await context.database.query(
                "SELECT count(*) FROM signing_keys WHERE position('PRIVATE KEY'::bytea in sealed) > 0",
                logger: TestPostgres.logger)
            for try await count in rows.decode(Int64.self) { #expect(count == 0) }
        }
    }

    @Test func anotherReplicaVerifiesTheFirstOnesTokensAndFindsAKeyRotatedSinceItLoaded() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let otherTokens = AccessTokens(lifetime: .seconds(900))
            let other = SigningKeys(
                client: context.database,
                keyRing: KeyRing(
                    client: context.database, master: GatewayHarness.masterKey, logger: TestPostgres.logger),
                tokens: otherTokens, logger: TestPostgres.logger
            )
            try await other.load()
            #expect(otherTokens.signingKeyID == context.tokens.signingKeyID)
            let token = try await context.token(for: world.userA)
            #expect(try await otherTokens.verify(token).subject.value == world.userA.id.uuidString.lowercased())

            // The other one hears of no rotation (it does not listen): a token naming the new key makes it look.
            #expect(try await world.admin(.post, "/api/admin/keys/rotate", ["kind": "signing_key"]).status == .ok)
            let fresh = try await context.token(for: world.userA)
            #expect(try await otherTokens.verify(fresh).subject.value == world.userA.id.uuidString.lowercased())
            #expect(otherTokens.signingKeyID == context.tokens.signingKeyID)

            // A token signed by a key of no replica is refused.
            let stranger = try await AccessTokens(
                privateKeyPEM: AccessTokens.generatePrivateKeyPEM(), lifetime: .seconds(900))
            let forged = try await stranger.issue(userID: world.userA.id, session: UUID())
            await #expect(throws: (any Error).self) { try await otherTokens.verify(forged) }
        }
    }

    @Test func aKeyFileFixesTheKeyAndLeavesTheDatabaseAlone() async throws {
        try await TestPostgres.withMigratedDatabase { _, client in
            let tokens = try await AccessTokens(
                privateKeyPEM: AccessTokens.generatePrivateKeyPEM(), lifetime: .seconds(900))
            let fixed = tokens.signingKeyID
            let keys = SigningKeys(
                client: client, keyRing: KeyRing(client: client, master: .random(), logger: TestPostgres.logger),
                tokens: tokens, logger: TestPostgres.logger)
            try await keys.load()
            await #expect(throws: SigningKeys.FixedKey.self) { try await keys.rotate() }
            #expect(tokens.signingKeyID == fixed)
            let rows = try await client.query("SELECT count(*) FROM signing_keys", logger: TestPostgres.logger)
            for try await count in rows.decode(Int64.self) { #expect(count == 0) }
        }
    }

    /// The `kid` in a token's header.
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".").first,
            let data = Base64.decodeURLSafe(header),
            let object = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any]
        else { return nil }
        return object["kid"] as? String
    }
}
