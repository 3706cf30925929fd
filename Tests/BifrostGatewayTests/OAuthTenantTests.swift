import AsyncHTTPClient
import Bifrost
import BifrostCrypto
import BifrostOAuth
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

/// One partner application for every customer: `per_organization` connections against a loopback identity
/// platform with per-tenant endpoints. Each organisation gets its own tenant's token and never another's; a tenant
/// without consent, or refusing the partner, fails at once and marks only itself; consent is recorded through
/// the callback; replicas ask once per tenant.
@Suite struct OAuthTenantTests {
    static let tenantA = "aaaaaaaa-0000-4000-8000-00000000000a"
    static let tenantB = "bbbbbbbb-0000-4000-8000-00000000000b"
    static let tenantC = "cccccccc-0000-4000-8000-00000000000c"

    /// A global connection shared with organisations, one token per organisation's tenant.
    static func partnerConnection(_ platform: FakeMicrosoftIdentity, flow: String) -> [String: Any] {
        [
            "name": "microsoft", "provider": "microsoft", "flow": flow, "client_id": platform.clientID,
            "client_secret": platform.clientSecret, "tenancy": "per_organization", "tenant": "partner",
            "shared_with_organizations": true,
        ]
    }

    /// Runs `body` in a world whose organisations A and B have Entra tenants A and B, with the partner's global
    /// connection created.
    static func withPartner(
        flow: String,
        _ body:
            @Sendable (FakeMicrosoftIdentity, OrganizationAndUserTests.World, GatewayHarness.Context)
            async throws -> Void
    ) async throws {
        try await FakeMicrosoftIdentity.withPlatform { platform in
            let catalogue = try OAuthProviderCatalogue.parse(platform.catalogueYAML, file: "fake microsoft")
            try await OrganizationAndUserTests.withWorld(oauthProviders: catalogue) { world, context in
                for (organization, tenant) in [(world.orgA, tenantA), (world.orgB, tenantB)] {
                    let set = try await world.admin(
                        .patch, "/api/organizations/\(organization)", ["entra_tenant_id": tenant])
                    #expect(set.status == .ok)
                }
                let created = try await world.admin(
                    .post, "/api/oauth/connections", partnerConnection(platform, flow: flow))
                #expect(created.status == .created)
                #expect((created.json as? [String: Any])?["tenancy"] as? String == "per_organization")
                try await body(platform, world, context)
            }
        }
    }

    static func tenants(_ world: OrganizationAndUserTests.World) async throws -> [String: [String: Any]] {
        let listed = try await world.admin(.get, "/api/oauth/connections/microsoft/tenants")
        #expect(listed.status == .ok)
        let rows = try #require(listed.json as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["tenant"] as? String).map { ($0, row) } })
    }

    /// Asks for organisation `organization`'s admin-consent address as `caller`, and follows it as the customer
    /// admin's own browser would (no session, no cookie of the caller's), back to the gateway's callback.
    /// - Returns: the callback's status.
    static func consent(_ organization: UUID, as caller: AdminAPITestClient, _ context: GatewayHarness.Context)
        async throws -> HTTPResponse.Status
    {
        let asked = try await caller(.post, "/api/oauth/connections/microsoft/tenants/\(organization)/consent")
        #expect(asked.status == .ok)
        let address = try #require((asked.json as? [String: Any])?["authorization_url"] as? String)
        #expect(address.contains("/v2.0/adminconsent") && !address.contains("offline_access"))
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        let answer = try await client.execute(HTTPClientRequest(url: address), timeout: .seconds(30))
        let location = try #require(answer.headers.first(name: "Location").flatMap(URLComponents.init(string:)))
        #expect(location.path == "/api/oauth/callback")
        let callback = "/api/oauth/callback?" + (location.percentEncodedQuery ?? "")
        let status = try await context.client.execute(uri: callback, method: .get) { $0.status }
        // The state is single-use.
        #expect(try await context.client.execute(uri: callback, method: .get) { $0.status } == .badRequest)
        return status
    }

    @Test func anExpiredClientSecretMarksNoTenantAndANewOneWorksAtOnce() async throws {
        try await Self.withPartner(flow: "client_credentials") { platform, world, context in
            platform.consent(Self.tenantA)
            var wrong = Self.partnerConnection(platform, flow: "client_credentials")
            wrong["client_secret"] = "expired"
            #expect(try await world.admin(.put, "/api/oauth/connections/microsoft", wrong).status == .ok)
            for _ in 0..<2 {
                await #expect {
                    _ = try await context.oauth.token("microsoft", for: .organization(world.orgA))
                } throws: { error in
                    guard case .misconfigured(_, let reason) = error as? OAuthBrokerError else { return false }
                    return reason.contains("invalid_client")
                }
            }
            let listed = try await Self.tenants(world)
            #expect(listed[Self.tenantA]?["status"] as? String == "not_connected")
            #expect(listed[Self.tenantA]?["consent"] as? String == "unknown")
            #expect((listed[Self.tenantA]?["last_error"] as? String)?.contains("invalid_client") == true)
            #expect(
                try await world.admin(
                    .put, "/api/oauth/connections/microsoft",
                    Self.partnerConnection(platform, flow: "client_credentials")
                ).status == .ok)
            let token = try #require(try await context.oauth.token("microsoft", for: .organization(world.orgA)))
            #expect(platform.tenant(of: token.accessToken) == Self.tenantA)
        }
    }

    @Test func applicationPermissionsGiveEachOrganisationItsTenantsTokenOnceConsented() async throws {
        try await Self.withPartner(flow: "client_credentials") { platform, world, context in
            platform.consent(Self.tenantA)
            let broker = context.oauth

            // A token URL without `{tenant}` would give every organisation the same tenant's token: refused.
            var fixed = Self.partnerConnection(platform, flow: "client_credentials")
            fixed["name"] = "fixed"
            fixed["token_url"] = "\(platform.baseURL)/common/oauth2/v2.0/token"
            let refused = try await world.admin(.post, "/api/oauth/connections", fixed)
            #expect(refused.status == .unprocessableContent)
            #expect("\(refused.json ?? "")".contains("tenancy"))

            // A's run gets a token of tenant A, from memory the second time.
            let a = try #require(try await broker.token("microsoft", for: .organization(world.orgA)))
            #expect(platform.tenant(of: a.accessToken) == Self.tenantA)
            _ = try await broker.token("microsoft", for: .organization(world.orgA))
            #expect(platform.tokenRequests(tenant: Self.tenantA) == 1)

            // B has not consented: refused at once, saying so, and asked only once however often runs try.
            for _ in 0..<3 {
                await #expect {
                    _ = try await broker.token("microsoft", for: .organization(world.orgB))
                } throws: { error in
                    guard case .consentRequired(_, let tenant, let reason) = error as? OAuthBrokerError else {
                        return false
                    }
                    return tenant == Self.tenantB && reason.contains("unauthorized_client")
                }
            }
            #expect(platform.tokenRequests(tenant: Self.tenantB) == 1)
            var listed = try await Self.tenants(world)
            #expect(listed[Self.tenantA]?["status"] as? String == "connected")
            #expect(listed[Self.tenantA]?["organization_id"] as? String == world.orgA.uuidString.lowercased())
            #expect(listed[Self.tenantB]?["status"] as? String == "needs_reauth")
            #expect(listed[Self.tenantB]?["consent"] as? String == "refused")
            #expect((listed[Self.tenantB]?["last_error"] as? String)?.contains("unauthorized_client") == true)

            // B's admin consents through the gateway: recorded, and B's runs get tenant B's token.
            #expect(try await Self.consent(world.orgB, as: world.admin, context) == .ok)
            listed = try await Self.tenants(world)
            #expect(listed[Self.tenantB]?["consent"] as? String == "granted")
            let b = try #require(try await broker.token("microsoft", for: .organization(world.orgB)))
            #expect(platform.tenant(of: b.accessToken) == Self.tenantB)
            #expect(b.accessToken != a.accessToken)
            let again = try #require(try await broker.token("microsoft", for: .organization(world.orgA)))
            #expect(platform.tenant(of: again.accessToken) == Self.tenantA)

            // A tenant whose admin refuses: recorded as refused, runs fail without asking the token endpoint.
            let northwind = try await AuthFixtures.createOrganization("Northwind", on: context.database)
            _ = try await world.admin(.patch, "/api/organizations/\(northwind)", ["entra_tenant_id": Self.tenantC])
            platform.refuseConsent(Self.tenantC)
            #expect(try await Self.consent(northwind, as: world.admin, context) == .badRequest)
            listed = try await Self.tenants(world)
            #expect(listed[Self.tenantC]?["consent"] as? String == "refused")
            #expect(listed[Self.tenantC]?["consent_error"] as? String == "access_denied")
            await #expect(throws: OAuthBrokerError.self) {
                _ = try await broker.token("microsoft", for: .organization(northwind))
            }
            #expect(platform.tokenRequests(tenant: Self.tenantC) == 0)

            // Organisation admins see neither the partner's tenants nor can they ask for consent.
            #expect(try await world.adminA(.get, "/api/oauth/connections/microsoft/tenants").status == .notFound)
            #expect(
                try await world.adminA(.post, "/api/oauth/connections/microsoft/tenants/\(world.orgB)/consent").status
                    == .notFound)
            #expect(try await world.memberA(.get, "/api/oauth/connections/microsoft/tenants").status == .forbidden)
            try await OAuthFlowTests.expectNowhere(
                platform.issuedTokens + [platform.clientSecret], in: context.database)
        }
    }

    @Test func delegatedPartnerAccessReachesEachCustomerAndARefusalMarksOnlyItsTenant() async throws {
        try await Self.withPartner(flow: "authorization_code") { platform, world, context in
            // The partner's admin authorizes the connection once, in the partner's tenant.
            let started = try await OAuthFlowTests.authorize("microsoft", as: world.admin)
            #expect(started.url.contains("/partner/oauth2/v2.0/authorize"))
            #expect(
                try await OAuthFlowTests.callback(started.code, started.state, context, cookie: started.cookie) == .ok)
            platform.delegate(Self.tenantA)
            let broker = context.oauth

            let a = try #require(try await broker.token("microsoft", for: .organization(world.orgA)))
            #expect(platform.tenant(of: a.accessToken) == Self.tenantA)
            // B has no delegated access: B alone is marked, the connection and A are untouched.
            for _ in 0..<2 {
                await #expect {
                    _ = try await broker.token("microsoft", for: .organization(world.orgB))
                } throws: { error in
                    guard case .tenantRefused(_, let tenant, let reason) = error as? OAuthBrokerError else {
                        return false
                    }
                    return tenant == Self.tenantB && reason.contains("invalid_grant")
                }
            }
            #expect(platform.tokenRequests(tenant: Self.tenantB) == 1)
            let connection = try #require(
                try await world.admin(.get, "/api/oauth/connections/microsoft").json as? [String: Any])
            #expect(connection["status"] as? String == "connected")
            let listed = try await Self.tenants(world)
            #expect(listed[Self.tenantB]?["status"] as? String == "needs_reauth")
            #expect(listed[Self.tenantB]?["consent"] as? String == "unknown")
            #expect(listed[Self.tenantA]?["status"] as? String == "connected")
            let stillA = try #require(try await broker.token("microsoft", for: .organization(world.orgA)))
            #expect(stillA.accessToken == a.accessToken)

            // The relationship is fixed and the partner connects again: B's runs get tenant B's token.
            platform.delegate(Self.tenantB)
            let again = try await OAuthFlowTests.authorize("microsoft", as: world.admin)
            #expect(try await OAuthFlowTests.callback(again.code, again.state, context, cookie: again.cookie) == .ok)
            let b = try #require(try await broker.token("microsoft", for: .organization(world.orgB)))
            #expect(platform.tenant(of: b.accessToken) == Self.tenantB)

            // A global run acts in the partner's own tenant, with the connection's own token.
            let global = try #require(try await broker.token("microsoft", for: .global))
            #expect(platform.tenant(of: global.accessToken) == "partner")
            try await OAuthFlowTests.expectNowhere(
                platform.issuedTokens + [platform.clientSecret], in: context.database)
        }
    }

    @Test func aScheduledWorkflowRunsInEveryCustomerWithItsOwnTenantsToken() async throws {
        try await Self.withPartner(flow: "client_credentials") { platform, world, context in
            let northwind = try await AuthFixtures.createOrganization("Northwind", on: context.database)
            _ = try await world.admin(.patch, "/api/organizations/\(northwind)", ["entra_tenant_id": Self.tenantC])
            let tenants = [world.orgA: Self.tenantA, world.orgB: Self.tenantB, northwind: Self.tenantC]
            for tenant in tenants.values { platform.consent(tenant) }

            // The licence report's daily slot fires: a queued run per organisation, run by the gateway's workers.
            let fired = try await PostgresScheduleRepository(client: context.database, logger: TestPostgres.logger)
                .fire(
                    ScheduleSlot(
                        workflow: "m365_licence_report", at: Date(), firedBy: UUID(), input: .object([:]),
                        perOrganization: true, maximumAttempts: 1))
            #expect(fired == tenants.count)
            var finished: [(UUID, String, String)] = []
            #expect(
                try await eventually {
                    let rows = try await context.database.query(
                        """
                        SELECT organization_id, status, coalesce(result::text, error, '') FROM executions
                        WHERE workflow = 'm365_licence_report' AND status NOT IN ('Pending', 'Running')
                        """,
                        logger: TestPostgres.logger)
                    finished = try await rows.decode((UUID, String, String).self).reduce(into: []) { $0.append($1) }
                    return finished.count == tenants.count
                })
            for (organization, status, result) in finished {
                let own = try #require(tenants[organization])
                #expect(status == "Success", "\(result)")
                // Each run read its own tenant's record, and saw no other tenant.
                #expect(result.contains(own))
                for other in tenants.values where other != own { #expect(!result.contains(other)) }
            }
            for tenant in tenants.values { #expect(platform.tokenRequests(tenant: tenant) == 1) }
        }
    }

    @Test func anOrganisationWhoseTenantChangesGetsTheNewTenantsToken() async throws {
        try await Self.withPartner(flow: "client_credentials") { platform, world, context in
            platform.consent(Self.tenantA)
            platform.consent(Self.tenantC)
            let first = try #require(try await context.oauth.token("microsoft", for: .organization(world.orgA)))
            #expect(platform.tenant(of: first.accessToken) == Self.tenantA)
            #expect(
                try await world.admin(.patch, "/api/organizations/\(world.orgA)", ["entra_tenant_id": Self.tenantC])
                    .status == .ok)
            // The trigger's notification makes the broker forget A's cached token.
            #expect(
                try await eventually {
                    let token = try await context.oauth.token("microsoft", for: .organization(world.orgA))
                    return token.flatMap { platform.tenant(of: $0.accessToken) } == Self.tenantC
                })
        }
    }

    @Test func replicasAskOncePerTenantAndShareTheRefreshAhead() async throws {
        try await FakeMicrosoftIdentity.withPlatform { platform in
            try await TestPostgres.withMigratedDatabase { url, client in
                let master = SecretKey.random()
                let keys = KeyRing(client: client, master: master, logger: TestPostgres.logger)
                var tenants: [(UUID, String)] = []
                for index in 0..<40 {
                    let tenant = String(format: "%08x-0000-4000-8000-%012x", index, index)
                    let organization = try await AuthFixtures.createOrganization("Customer \(index)", on: client)
                    try await client.query(
                        "UPDATE organizations SET entra_tenant_id = \(UUID(uuidString: tenant)) WHERE id = \(organization)",
                        logger: TestPostgres.logger)
                    platform.consent(tenant)
                    tenants.append((organization, tenant))
                }
                let store = PostgresOAuthConnectionRepository(client: client, keys: keys, logger: TestPostgres.logger)
                _ = try await store.create(
                    "microsoft",
                    OAuthConnectionSettings(
                        provider: "microsoft", flow: .clientCredentials, clientID: platform.clientID, scopes: [],
                        tenancy: .perOrganization, sharedWithOrganizations: true),
                    clientSecret: platform.clientSecret, in: .global, by: "test")
                let catalogue = try OAuthProviderCatalogue.parse(platform.catalogueYAML, file: "fake microsoft")
                try await TestPostgres.withClient(url) { second in
                    let replicas = [client, second].map { database in
                        OAuthBroker(
                            connections: PostgresOAuthConnectionRepository(
                                client: database, keys: keys, logger: TestPostgres.logger),
                            catalogue: catalogue,
                            audit: PostgresAuditLog(client: database, logger: TestPostgres.logger),
                            settings: .forTests, logger: TestPostgres.logger)
                    }
                    // Every organisation's run on both replicas at once, three times each.
                    let issued = try await withThrowingTaskGroup(of: (String, String?).self) { group in
                        for (organization, tenant) in tenants {
                            for broker in replicas + replicas + replicas {
                                group.addTask {
                                    let token = try await broker.token("microsoft", for: .organization(organization))
                                    return (tenant, token.flatMap { platform.tenant(of: $0.accessToken) })
                                }
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(issued.count == tenants.count * 6)
                    #expect(issued.allSatisfy { $0.0 == $0.1 })
                    #expect(platform.allTokenRequests == tenants.count)

                    // Every tenant's token is due: the two replicas' refresh-ahead passes refresh each once.
                    try await client.query(
                        "UPDATE oauth_tenant_tokens SET expires_at = now() + interval '1 minute'",
                        logger: TestPostgres.logger)
                    let refreshed = await withTaskGroup(of: Int.self) { group in
                        for broker in replicas {
                            group.addTask {
                                await OAuthRefresher(broker: broker, schema: SchemaState(), logger: TestPostgres.logger)
                                    .refreshExpiring()
                            }
                        }
                        return await group.reduce(0, +)
                    }
                    #expect(refreshed == tenants.count)
                    #expect(platform.allTokenRequests == tenants.count * 2)
                    for (_, tenant) in tenants { #expect(platform.tokenRequests(tenant: tenant) == 2) }

                    // Rotating the global data key re-encrypts every tenant's token (and the connection's secret),
                    // and a new replica still reads them without asking the provider.
                    let rotated = try await keys.rotateDataKey(of: .global)
                    #expect(rotated.reencrypted == tenants.count + 1)
                    let third = OAuthBroker(
                        connections: PostgresOAuthConnectionRepository(
                            client: second, keys: KeyRing(client: second, master: master, logger: TestPostgres.logger),
                            logger: TestPostgres.logger),
                        catalogue: catalogue, audit: PostgresAuditLog(client: second, logger: TestPostgres.logger),
                        settings: .forTests, logger: TestPostgres.logger)
                    for (organization, tenant) in tenants.prefix(5) {
                        let token = try await third.token("microsoft", for: .organization(organization))
                        #expect(token.flatMap { platform.tenant(of: $0.accessToken) } == tenant)
                    }
                    #expect(platform.allTokenRequests == tenants.count * 2)
                }
            }
        }
    }
}
