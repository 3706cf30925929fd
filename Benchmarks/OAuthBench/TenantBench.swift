import AsyncHTTPClient
import Bifrost
import BifrostCrypto
import BifrostOAuth
import BifrostStore
import BifrostTestSupport
import Foundation
import Logging
import PostgresNIO

/// `oauth-bench tenants [organisations] [rounds]`: one `per_organization` connection (client credentials) serving
/// `organisations` organisations, each with its own consented tenant, on two replicas (two brokers, each with its
/// own pool) against the loopback identity platform of the tests.
/// 1. Cold: every organisation's run asks for its token on both replicas at once, three times each (a scheduled
///    workflow firing in every organisation): tokens per second until every caller holds its tenant's token, and
///    provider requests per tenant; against the same number of token requests sent straight to the provider with
///    the same concurrency (the round trips no broker can avoid).
/// 2. Warm: a cached token per call across every organisation.
/// 3. Memory per cached tenant: the resident-size growth of a third broker that caches every organisation's token.
/// 4. Refresh-ahead: every token due, both replicas' refreshers at once: how the tenants split between them.
func tenantBench(organizations count: Int, rounds: Int, logger: Logger) async throws {
    try await FakeMicrosoftIdentity.withPlatform { platform in
        try await TestPostgres.withDatabase { url in
            try await TestPostgres.withClient(url) { client in
                try await Migrator(client: client, migrations: MigrationCatalog.bundled(), logger: logger).migrate()
                let keys = KeyRing(client: client, master: .random(), logger: logger)
                var organizations: [UUID] = []
                for index in 0..<count {
                    let tenant = String(format: "%08x-0000-4000-8000-%012x", index, index)
                    let id = try await PostgresOrganizationRepository(client: client, logger: logger).create(
                        name: "Customer \(index)", domain: nil, entraTenantID: UUID(uuidString: tenant)
                    ).id
                    platform.consent(tenant)
                    organizations.append(id)
                }
                _ = try await PostgresOAuthConnectionRepository(client: client, keys: keys, logger: logger).create(
                    "microsoft",
                    OAuthConnectionSettings(
                        provider: "microsoft", flow: .clientCredentials, clientID: platform.clientID, scopes: [],
                        tenancy: .perOrganization, sharedWithOrganizations: true),
                    clientSecret: platform.clientSecret, in: .global, by: "bench")
                let catalogue = try OAuthProviderCatalogue.parse(platform.catalogueYAML, file: "fake microsoft")
                var settings = OAuthBroker.Settings()
                settings.urlPolicy = ProviderURLPolicy(allowInsecureLoopback: true)
                func broker(_ database: PostgresClient) -> OAuthBroker {
                    OAuthBroker(
                        connections: PostgresOAuthConnectionRepository(client: database, keys: keys, logger: logger),
                        catalogue: catalogue, audit: PostgresAuditLog(client: database, logger: logger),
                        settings: settings, logger: logger)
                }
                try await TestPostgres.withClient(url) { second in
                    let clock = ContinuousClock()
                    var cold: [Double] = []
                    var direct: [Double] = []
                    var perTenant: [Double] = []
                    for _ in 0..<rounds {
                        try await client.query("DELETE FROM oauth_tenant_tokens", logger: logger)
                        let replicas = [broker(client), broker(second)]
                        let before = platform.allTokenRequests
                        let start = clock.now
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for organization in organizations {
                                for replica in replicas + replicas + replicas {
                                    group.addTask {
                                        _ = try await replica.token("microsoft", for: .organization(organization))
                                    }
                                }
                            }
                            try await group.waitForAll()
                        }
                        cold.append(seconds(clock.now - start))
                        perTenant.append(Double(platform.allTokenRequests - before) / Double(count))

                        // The same number of token requests, straight to the provider, as many at once.
                        let endpoint = TokenEndpoint(policy: settings.urlPolicy)
                        let straight = clock.now
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for index in 0..<count {
                                let tenant = String(format: "%08x-0000-4000-8000-%012x", index, index)
                                group.addTask {
                                    _ = try await endpoint.clientCredentials(
                                        scopes: [], at: "\(platform.baseURL)/\(tenant)/oauth2/v2.0/token",
                                        clientID: platform.clientID, clientSecret: platform.clientSecret)
                                }
                            }
                            try await group.waitForAll()
                        }
                        direct.append(seconds(clock.now - straight))
                    }
                    let coldMedian = percentile(cold, 0.5)
                    let directMedian = percentile(direct, 0.5)
                    print(
                        String(
                            format:
                                "cold, %d organisations x 2 replicas x 3 callers: median %.2f s, %.0f tenant tokens/s, %.2f provider requests per tenant (rounds: %@)",
                            count, coldMedian, Double(count) / coldMedian, percentile(perTenant, 0.5),
                            cold.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
                    print(
                        String(
                            format:
                                "baseline %d token requests straight to the provider: median %.2f s, %.0f tokens/s; ratio (broker / straight, time) %.2f",
                            count, directMedian, Double(count) / directMedian, coldMedian / directMedian))

                    // 2. Warm.
                    let warmBroker = broker(client)
                    for organization in organizations {
                        _ = try await warmBroker.token("microsoft", for: .organization(organization))
                    }
                    var warm: [Double] = []
                    for _ in 0..<max(20, rounds * 4) {
                        let start = clock.now
                        for organization in organizations {
                            _ = try await warmBroker.token("microsoft", for: .organization(organization))
                        }
                        warm.append(seconds(clock.now - start) * 1e9 / Double(count))
                    }
                    print(
                        String(
                            format: "warm: p50 %.0f ns, p99 %.0f ns per cached token across %d organisations",
                            percentile(warm, 0.5), percentile(warm, 0.99), count))

                    // 3. Memory per cached tenant.
                    let fresh = broker(client)
                    _ = try await fresh.token("microsoft", for: .organization(organizations[0]))
                    let residentBefore = residentBytes()
                    for organization in organizations {
                        _ = try await fresh.token("microsoft", for: .organization(organization))
                    }
                    let residentAfter = residentBytes()
                    print(
                        String(
                            format: "memory: resident +%.1f KiB for %d cached tenants, %.0f bytes per tenant",
                            Double(residentAfter - residentBefore) / 1024, count,
                            Double(residentAfter - residentBefore) / Double(count)))

                    // 4. Refresh-ahead spread over the two replicas.
                    try await client.query(
                        "UPDATE oauth_tenant_tokens SET expires_at = now() + interval '1 minute'", logger: logger)
                    let before = platform.allTokenRequests
                    let start = clock.now
                    let split = await withTaskGroup(of: Int.self) { group in
                        for replica in [broker(client), broker(second)] {
                            group.addTask {
                                await OAuthRefresher(broker: replica, schema: SchemaState(), logger: logger)
                                    .refreshExpiring()
                            }
                        }
                        return await group.reduce(into: []) { $0.append($1) }
                    }
                    print(
                        String(
                            format:
                                "refresh-ahead: %d tenants due, replicas refreshed %@ in %.2f s, %d provider requests",
                            count, split.map(String.init).joined(separator: " + "), seconds(clock.now - start),
                            platform.allTokenRequests - before))
                }
            }
        }
    }
}

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// This process's resident set size, from `/proc/self/statm`.
private func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
