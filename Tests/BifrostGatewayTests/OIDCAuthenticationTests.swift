import BifrostCrypto
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import PostgresNIO
import Testing

/// Microsoft Entra ID sign-in against a real OpenID Connect issuer on loopback (`OIDCTestIssuer`).
@Suite struct OIDCAuthenticationTests {
    static let audience = "api://bifrost-tests"

    /// A gateway trusting `issuer` as a multi-tenant Entra application (or as one tenant's issuer).
    private func withGateway(
        _ issuer: OIDCTestIssuer, singleTenant: UUID? = nil, provisionUsers: Bool = false, isOperator: Bool = false,
        refetchInterval: Duration = .seconds(60),
        _ body: @Sendable (any TestClientProtocol, GatewayHarness.Context) async throws -> Void
    ) async throws {
        var configuration = GatewayConfiguration()
        configuration.oidc.keyRefetchInterval = refetchInterval
        // The issuer shares the machine with the whole suite: a fetch that timed out would be fetched again.
        configuration.oidc.keyFetchTimeout = .seconds(60)
        configuration.oidc.issuers = [
            .init(
                name: "entra", issuer: singleTenant.map(issuer.issuer(tenantID:)) ?? issuer.multiTenantIssuer,
                audience: Self.audience, jwksURI: singleTenant == nil ? issuer.jwksURI : nil,
                provisionUsers: provisionUsers, isOperator: isOperator
            )
        ]
        try await GatewayHarness.withGatewayAndDatabase(configuration: configuration, body)
    }

    private func me(_ client: any TestClientProtocol, _ token: String) async throws -> (
        HTTPResponse.Status, [String: Any], HTTPFields
    ) {
        try await client.execute(uri: "/auth/me", method: .get, headers: [.authorization: "Bearer \(token)"]) {
            response in
            (response.status, AuthFixtures.json(response), response.headers)
        }
    }

    private func organization(tenant: UUID, on database: PostgresClient) async throws -> UUID {
        try await PostgresOrganizationRepository(client: database, logger: TestPostgres.logger)
            .create(name: "Contoso \(tenant.uuidString.prefix(4))", domain: nil, entraTenantID: tenant).id
    }

    private func claims(
        _ issuer: OIDCTestIssuer, tenant: UUID, email: String?, oid: String = UUID().uuidString.lowercased()
    )
        -> IDTokenClaims
    {
        IDTokenClaims(
            issuer: issuer.issuer(tenantID: tenant), audience: Self.audience, tenantID: tenant, objectID: oid,
            email: email)
    }

    @Test func anEntraUserOfAMappedTenantActsInItsOrganisationAndIsLinkedToItsObjectID() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            try await withGateway(issuer) { client, context in
                let tenant = UUID()
                let org = try await organization(tenant: tenant, on: context.database)
                let user = try await AuthFixtures.createUser(
                    "Ada@Contoso.com", role: .orgAdmin, organization: org, on: context.database)
                let oid = UUID().uuidString.lowercased()
                let token = try await issuer.token(claims(issuer, tenant: tenant, email: "ada@contoso.com", oid: oid))
                let (status, body, _) = try await me(client, token)
                #expect(status == .ok)
                #expect(body["user_id"] as? String == user.id.uuidString.lowercased())
                #expect(body["organization_id"] as? String == org.uuidString.lowercased())
                #expect(body["scope"] as? String == org.uuidString.lowercased())
                #expect(body["role"] as? String == "org_admin")

                // Once linked, the object id finds the user even after the address changes in Entra…
                let renamed = try await issuer.token(
                    claims(issuer, tenant: tenant, email: "ada.lovelace@contoso.com", oid: oid))
                let (renamedStatus, renamedBody, _) = try await me(client, renamed)
                #expect(renamedStatus == .ok)
                #expect(renamedBody["user_id"] as? String == user.id.uuidString.lowercased())
                // …and another Entra account presenting the same address is refused.
                let impostor = try await issuer.token(claims(issuer, tenant: tenant, email: "ada@contoso.com"))
                let (impostorStatus, impostorBody, _) = try await me(client, impostor)
                #expect(impostorStatus == .forbidden)
                #expect((impostorBody["detail"] as? String)?.contains("linked to another Entra identity") == true)
            }
        }
    }

    @Test func anUnknownUserIsRefusedWith403UnlessTheIssuerProvisionsUsers() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            let tenant = UUID()
            try await withGateway(issuer) { client, context in
                _ = try await organization(tenant: tenant, on: context.database)
                let token = try await issuer.token(claims(issuer, tenant: tenant, email: "new@contoso.com"))
                let (status, body, _) = try await me(client, token)
                #expect(status == .forbidden)
                #expect((body["detail"] as? String)?.contains("ask an administrator") == true)
                let users = PostgresUserRepository(client: context.database, logger: TestPostgres.logger)
                #expect(try await users.credentials(forEmail: "new@contoso.com") == nil)
            }
            try await withGateway(issuer, provisionUsers: true) { client, context in
                let org = try await organization(tenant: tenant, on: context.database)
                var provisioned = claims(issuer, tenant: tenant, email: "New@Contoso.com")
                provisioned.name = "New Person"
                let (status, body, _) = try await me(client, try await issuer.token(provisioned))
                #expect(status == .ok)
                #expect(body["organization_id"] as? String == org.uuidString.lowercased())
                #expect(body["role"] as? String == "org_member")
                let users = PostgresUserRepository(client: context.database, logger: TestPostgres.logger)
                let created = try #require(try await users.credentials(forEmail: "new@contoso.com"))
                #expect(created.user.name == "New Person")
                #expect(created.passwordHash == nil)
                let audit = try await PostgresAuditLog(client: context.database, logger: TestPostgres.logger)
                    .list(.everything, limit: 10)
                #expect(audit.contains { $0.event.action == "user.provision" && $0.event.organizationID == org })
            }
        }
    }

    @Test func tenantRulesKeepOrganisationsAndPlatformAdminsApart() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            let (tenantA, tenantB, unmapped) = (UUID(), UUID(), UUID())
            try await withGateway(issuer, provisionUsers: true) { client, context in
                let orgA = try await organization(tenant: tenantA, on: context.database)
                _ = try await organization(tenant: tenantB, on: context.database)
                try await AuthFixtures.createUser(
                    "a@a.example", role: .orgMember, organization: orgA, on: context.database)
                try await AuthFixtures.createUser("root@msp.example", role: .platformAdmin, on: context.database)

                // A user of organisation A, presented by tenant B: refused, not provisioned into B.
                let crossTenant = try await me(
                    client, try await issuer.token(claims(issuer, tenant: tenantB, email: "a@a.example")))
                #expect(crossTenant.0 == .forbidden)
                // A tenant no organisation is linked to: refused even with provisioning on.
                let stray = try await me(
                    client, try await issuer.token(claims(issuer, tenant: unmapped, email: "x@stray.example")))
                #expect(stray.0 == .forbidden)
                #expect((stray.1["detail"] as? String)?.contains("not linked to any organisation") == true)
                // Any tenant of a multi-tenant application can write any address: never a platform admin that way.
                let admin = try await me(
                    client, try await issuer.token(claims(issuer, tenant: tenantA, email: "root@msp.example")))
                #expect(admin.0 == .forbidden)
            }
            // Through the operator's own single-tenant issuer, the platform admin signs in and acts globally.
            let home = UUID()
            try await withGateway(issuer, singleTenant: home, isOperator: true) { client, context in
                try await AuthFixtures.createUser("root@msp.example", role: .platformAdmin, on: context.database)
                let (status, body, _) = try await me(
                    client, try await issuer.token(claims(issuer, tenant: home, email: "root@msp.example")))
                #expect(status == .ok)
                #expect(body["is_platform_admin"] as? Bool == true)
                #expect(body["scope"] as? String == "global")
            }
        }
    }

    @Test func aRotatedKeyIsFetchedOnItsFirstUnknownKid() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            try await withGateway(issuer, refetchInterval: .zero) { client, context in
                let tenant = UUID()
                let org = try await organization(tenant: tenant, on: context.database)
                try await AuthFixtures.createUser(
                    "r@contoso.com", role: .orgMember, organization: org, on: context.database)
                let person = claims(issuer, tenant: tenant, email: "r@contoso.com")
                let oldKey = try await issuer.token(person)
                #expect(try await me(client, oldKey).0 == .ok)
                #expect(issuer.keySetFetches == 1)

                try issuer.rotateKey()
                let newKey = try await issuer.token(person)
                let (newStatus, newBody, _) = try await me(client, newKey)
                #expect(newStatus == .ok, "\(newBody)")
                #expect(issuer.keySetFetches == 2)
                // The retired key is no longer published, so a fresh token under it is refused.
                let retired = try await issuer.token(
                    person, keyID: "key-1", signingKey: try OIDCTestIssuer.makeKey()
                )
                #expect(try await me(client, retired).0 == .unauthorized)
            }
        }
    }

    /// The interval itself is judged with a clock the test moves (`OIDCKeySetTests`); here, an hour that this
    /// test never reaches.
    @Test func unknownKidsRefetchTheKeySetAtMostOncePerInterval() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            try await withGateway(issuer, refetchInterval: .seconds(3_600)) { client, context in
                let tenant = UUID()
                let org = try await organization(tenant: tenant, on: context.database)
                try await AuthFixtures.createUser(
                    "m@contoso.com", role: .orgMember, organization: org, on: context.database)
                #expect(
                    try await me(client, try await issuer.token(claims(issuer, tenant: tenant, email: "m@contoso.com")))
                        .0 == .ok)
                #expect(issuer.keySetFetches == 1)
                try issuer.rotateKey(keepingOld: true)
                for _ in 0..<5 {
                    let token = try await issuer.token(claims(issuer, tenant: tenant, email: "m@contoso.com"))
                    let (status, body, _) = try await me(client, token)
                    #expect(status == .unauthorized)
                    #expect((body["detail"] as? String)?.contains("key its issuer does not publish") == true)
                }
                #expect(issuer.keySetFetches == 1)
            }
        }
    }

    @Test func everyForgedOrStaleEntraTokenIsRefused() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            try await withGateway(issuer) { client, context in
                let tenant = UUID()
                let org = try await organization(tenant: tenant, on: context.database)
                try await AuthFixtures.createUser(
                    "v@contoso.com", role: .orgMember, organization: org, on: context.database)
                let good = claims(issuer, tenant: tenant, email: "v@contoso.com")
                let valid = try await issuer.token(good)
                #expect(try await me(client, valid).0 == .ok)

                let parts = valid.split(separator: ".").map(String.init)
                func encode(_ object: [String: Any]) throws -> String {
                    Base64.urlSafe(Array(try JSONSerialization.data(withJSONObject: object)))
                }
                let kid = issuer.currentKeyID
                let none = try encode(["alg": "none", "typ": "JWT", "kid": kid]) + "." + parts[1] + "."
                let hmacKeys = JWTKeyCollection()
                await hmacKeys.add(
                    hmac: HMACKey(from: String(repeating: "public knowledge ", count: 4)), digestAlgorithm: .sha256,
                    kid: JWKIdentifier(string: kid))
                let hs256 = try await hmacKeys.sign(good, kid: JWKIdentifier(string: kid))
                let wrongKey = try await issuer.token(good, signingKey: try OIDCTestIssuer.makeKey())
                var expired = good
                expired.exp = Int(Date().timeIntervalSince1970) - 3600
                var early = good
                early.nbf = Int(Date().timeIntervalSince1970) + 3600
                var otherAudience = good
                otherAudience.aud = "api://someone-else"
                var otherTenantsIssuer = good
                otherTenantsIssuer.iss = issuer.issuer(tenantID: UUID())
                var foreignIssuer = good
                foreignIssuer.iss = "https://login.example.net/\(tenant.uuidString.lowercased())/v2.0"

                let cases: [(String, String, String)] = [
                    ("none", none, "algorithm"),
                    ("hs256", hs256, "algorithm"),
                    ("unpublished key", wrongKey, "signature"),
                    ("expired", try await issuer.token(expired), "expired"),
                    ("not yet valid", try await issuer.token(early), "expired"),
                    ("audience", try await issuer.token(otherAudience), "not meant for this gateway"),
                    ("issuer of another tenant", try await issuer.token(otherTenantsIssuer), "trusted issuer"),
                    ("foreign issuer", try await issuer.token(foreignIssuer), "trusted issuer"),
                    ("unknown kid", try await issuer.token(good, keyID: "never-published"), "does not publish"),
                ]
                for (name, token, reason) in cases {
                    let (status, body, headers) = try await me(client, token)
                    #expect(status == .unauthorized, "\(name) was accepted")
                    #expect(headers[.wwwAuthenticate]?.contains("invalid_token") == true, "\(name)")
                    #expect((body["detail"] as? String)?.contains(reason) == true, "\(name): \(body["detail"] ?? "")")
                }
            }
        }
    }

    @Test func anUnreachableKeySetIsAServerProblemNotTheCallers() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            var configuration = GatewayConfiguration()
            configuration.oidc.issuers = [
                .init(
                    name: "entra", issuer: issuer.multiTenantIssuer, audience: Self.audience,
                    jwksURI: "http://127.0.0.1:1/keys")
            ]
            try await GatewayHarness.withGatewayAndDatabase(configuration: configuration) { client, _ in
                let token = try await issuer.token(claims(issuer, tenant: UUID(), email: "x@contoso.com"))
                let (status, body, _) = try await me(client, token)
                #expect(status == .serviceUnavailable)
                #expect((body["detail"] as? String)?.contains("could not be reached") == true)
            }
        }
    }
}
