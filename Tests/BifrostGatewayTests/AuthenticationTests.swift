import BifrostCrypto
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import PostgresNIO
import Testing

@Suite struct AuthenticationTests {
    private func me(_ client: any TestClientProtocol, token: String, organization: String? = nil) async throws
        -> (HTTPResponse.Status, [String: Any], HTTPFields)
    {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if let organization { headers[HTTPField.Name("X-Organization-Id")!] = organization }
        return try await client.execute(uri: "/auth/me", method: .get, headers: headers) { response in
            (response.status, AuthFixtures.json(response), response.headers)
        }
    }

    @Test func loginIssuesTokensAndMeDescribesTheCaller() async throws {
        try await GatewayHarness.withGatewayAndDatabase { client, context in
            let admin = try await AuthFixtures.createUser(
                "Admin@Example.com", role: .platformAdmin, on: context.database)
            let (status, pair) = try await AuthFixtures.login("admin@example.com", client: client)
            #expect(status == .ok)
            #expect(pair["token_type"] as? String == "bearer")
            #expect(pair["expires_in"] as? Int == 900)
            #expect((pair["refresh_token"] as? String)?.hasPrefix("bfr_") == true)
            let token = try #require(pair["access_token"] as? String)
            let (meStatus, body, _) = try await me(client, token: token)
            #expect(meStatus == .ok)
            #expect(body["user_id"] as? String == admin.id.uuidString.lowercased())
            #expect(body["is_platform_admin"] as? Bool == true)
            #expect(body["role"] as? String == "platform_admin")
            #expect(body["scope"] as? String == "global")
        }
    }

    @Test func wrongPasswordAndUnknownEmailAreRefusedAlikeAndAudited() async throws {
        try await GatewayHarness.withGatewayAndDatabase { client, context in
            try await AuthFixtures.createUser("member@example.com", role: .platformAdmin, on: context.database)
            let wrong = try await AuthFixtures.login("member@example.com", password: "nope", client: client)
            let unknown = try await AuthFixtures.login("ghost@example.com", client: client)
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.body["detail"] as? String == unknown.body["detail"] as? String)
            let rows = try await context.database.query(
                "SELECT actor_label, outcome FROM audit_events WHERE action = 'auth.login' ORDER BY id",
                logger: TestPostgres.logger
            )
            var events: [String] = []
            for try await (label, outcome) in rows.decode((String, String).self) {
                events.append("\(label) \(outcome)")
            }
            #expect(events == ["member@example.com failure", "ghost@example.com failure"])
            let all = try await context.database.query(
                "SELECT count(*)::int FROM audit_events WHERE actor_label LIKE '%nope%'", logger: TestPostgres.logger)
            for try await count in all.decode(Int.self) { #expect(count == 0) }
        }
    }

    @Test func refreshRotatesAndPresentingASpentTokenRevokesTheWholeLogin() async throws {
        try await GatewayHarness.withGatewayAndDatabase { client, context in
            try await AuthFixtures.createUser("r@example.com", role: .platformAdmin, on: context.database)
            let first = try await AuthFixtures.login("r@example.com", client: client).body
            let refresh1 = try #require(first["refresh_token"] as? String)
            let second = try await refresh(refresh1, client)
            #expect(second.0 == .ok)
            let refresh2 = try #require(second.1["refresh_token"] as? String)
            #expect(refresh2 != refresh1)
            // Replaying the spent token is theft or a bug: the whole family dies, including refresh2.
            #expect(try await refresh(refresh1, client).0 == .unauthorized)
            #expect(try await refresh(refresh2, client).0 == .unauthorized)
            #expect(try await refresh("bfr_unknown", client).0 == .unauthorized)
        }
    }

    @Test func logoutRevokesTheRefreshToken() async throws {
        try await GatewayHarness.withGatewayAndDatabase { client, context in
            try await AuthFixtures.createUser("l@example.com", role: .platformAdmin, on: context.database)
            let pair = try await AuthFixtures.login("l@example.com", client: client).body
            let access = try #require(pair["access_token"] as? String)
            let refreshToken = try #require(pair["refresh_token"] as? String)
            #expect(try await AuthFixtures.logout(access: access, refresh: refreshToken, client: client) == .noContent)
            #expect(try await refresh(refreshToken, client).0 == .unauthorized)
        }
    }

    @Test func noCredentialsIs401WithAChallenge() async throws {
        try await GatewayHarness.withGatewayAndDatabase { client, _ in
            try await client.execute(uri: "/auth/me", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test func everyForgedOrStaleTokenIsRefused() async throws {
        try await GatewayHarness.withGatewayAndDatabase { client, context in
            let user = try await AuthFixtures.createUser("f@example.com", role: .platformAdmin, on: context.database)
            let subject = user.id.uuidString.lowercased()
            let valid = try await context.token(for: user)
            let parts = valid.split(separator: ".").map(String.init)
            let header = Data(try #require(Base64.decodeURLSafe(parts[0])))
            let kid = try #require(
                (try JSONSerialization.jsonObject(with: header) as? [String: Any])?["kid"] as? String)

            func encode(_ object: [String: Any]) throws -> String {
                Base64.urlSafe(Array(try JSONSerialization.data(withJSONObject: object)))
            }
            let now = Int(Date().timeIntervalSince1970)
            let claims: [String: Any] = [
                "sub": subject, "iss": "bifrost", "aud": "bifrost-api", "iat": now, "exp": now + 600,
                "sid": UUID().uuidString,
            ]

            // alg: none, with the payload of a valid token and no signature.
            let none = try encode(["alg": "none", "typ": "JWT", "kid": kid]) + "." + parts[1] + "."
            // HS256 "signed" with something public: the classic algorithm-confusion forgery.
            let hmacKeys = JWTKeyCollection()
            await hmacKeys.add(
                hmac: HMACKey(from: String(repeating: kid, count: 4)), digestAlgorithm: .sha256,
                kid: JWKIdentifier(string: kid))
            let hs256 = try await hmacKeys.sign(ForgedClaims(claims), kid: JWKIdentifier(string: kid))
            // A token from another gateway's key.
            let stranger = try await AccessTokens(
                privateKeyPEM: AccessTokens.generatePrivateKeyPEM(), lifetime: .seconds(900))
            let foreign = try await stranger.issue(userID: user.id, session: UUID())
            // Expired an hour ago, but otherwise genuine.
            let expired = try await context.tokens.issue(
                userID: user.id, session: UUID(), now: Date().addingTimeInterval(-3600))
            // Genuinely signed, but of a login session that never existed (or whose rows are gone).
            let sessionless = try await context.tokens.issue(userID: user.id, session: UUID())
            // Signature of a different payload.
            let tampered =
                parts[0] + "." + (try encode(claims.merging(["sub": UUID().uuidString.lowercased()]) { $1 })) + "."
                + parts[2]

            for (name, token) in [
                ("none", none), ("hs256", hs256), ("foreign", foreign), ("expired", expired),
                ("sessionless", sessionless), ("tampered", tampered), ("garbage", "not.a.jwt"), ("empty", "x"),
            ] {
                let (status, body, headers) = try await me(client, token: token)
                #expect(status == .unauthorized, "\(name) was accepted")
                #expect(headers[.wwwAuthenticate]?.contains("invalid_token") == true, "\(name)")
                #expect(body["type"] as? String == "urn:bifrost:problem:unauthorized")
            }
            #expect(try await me(client, token: valid).0 == .ok)
        }
    }

    @Test func aUserDeactivatedThroughTheAPIIsRefusedAtOnceDespiteTheCredentialCache() async throws {
        try await GatewayHarness.withGatewayAndDatabase { client, context in
            let org = try await AuthFixtures.createOrganization("Contoso", on: context.database)
            let admin = try await AuthFixtures.createUser(
                "boss@contoso.example", role: .orgAdmin, organization: org, on: context.database)
            let user = try await AuthFixtures.createUser(
                "gone@contoso.example", role: .orgMember, organization: org, on: context.database)
            let token = try await context.token(for: user)
            let before = try await me(client, token: token)
            #expect(before.0 == .ok)
            let boss = try await context.caller(admin)
            let patched = try await boss(.patch, "/api/users/\(user.id)", ["is_active": false])
            #expect(patched.status == .ok)
            let after = try await me(client, token: token)
            #expect(after.0 == .unauthorized)
            let login = try await AuthFixtures.login("gone@contoso.example", client: client)
            #expect(login.status == .unauthorized)
        }
    }

    @Test func scopeFollowsTheOrganizationHeaderOnlyForPlatformAdmins() async throws {
        try await GatewayHarness.withGatewayAndDatabase { client, context in
            let orgA = try await AuthFixtures.createOrganization("Contoso", on: context.database)
            let orgB = try await AuthFixtures.createOrganization("Fabrikam", on: context.database)
            let admin = try await AuthFixtures.createUser("pa@example.com", role: .platformAdmin, on: context.database)
            let member = try await AuthFixtures.createUser(
                "m@contoso.com", role: .orgMember, organization: orgA, on: context.database)
            let adminToken = try await context.token(for: admin)
            let memberToken = try await context.token(for: member)

            let inOrg = try await me(client, token: adminToken, organization: orgB.uuidString)
            #expect(inOrg.0 == .ok)
            #expect(inOrg.1["scope"] as? String == orgB.uuidString.lowercased())
            #expect(inOrg.1["organization_name"] as? String == "Fabrikam")
            #expect(try await me(client, token: adminToken, organization: UUID().uuidString).0 == .notFound)
            #expect(try await me(client, token: adminToken, organization: "not-a-uuid").0 == .badRequest)

            let own = try await me(client, token: memberToken)
            #expect(own.1["scope"] as? String == orgA.uuidString.lowercased())
            #expect(try await me(client, token: memberToken, organization: orgA.uuidString).0 == .ok)
            let other = try await me(client, token: memberToken, organization: orgB.uuidString)
            #expect(other.0 == .forbidden)
            #expect(other.1["type"] as? String == "urn:bifrost:problem:forbidden")
        }
    }

    private func refresh(_ token: String, _ client: any TestClientProtocol) async throws -> (
        HTTPResponse.Status, [String: Any]
    ) {
        let body = try JSONSerialization.data(withJSONObject: ["refresh_token": token])
        return try await client.execute(
            uri: "/auth/refresh", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(bytes: body)
        ) { ($0.status, AuthFixtures.json($0)) }
    }
}

/// Arbitrary claims, for signing forged tokens.
private struct ForgedClaims: JWTPayload {
    var values: [String: String]
    init(_ claims: [String: Any]) { values = claims.mapValues { "\($0)" } }
    func encode(to encoder: any Encoder) throws { try values.encode(to: encoder) }
    init(from decoder: any Decoder) throws { values = try [String: String](from: decoder) }
    func verify(using algorithm: some JWTAlgorithm) throws {}
}
