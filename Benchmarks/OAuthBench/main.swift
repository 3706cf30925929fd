// `oauth-bench`: the OAuth broker's two numbers, against the loopback provider of the tests and a PostgreSQL the
// project's scripts start.
// 1. `token(_:for:)` on a cached token, per call (batches of 1,000 calls timed, p50 and p99 of the batches' mean),
//    against the floor of any shared cache: a dictionary lookup under a Mutex, timed the same way.
// 2. 1,000 concurrent callers on an expired token, the provider answering after 50 ms: the time until every caller
//    holds the new token, against one token request to the same provider (the round-trip no broker can avoid).
// Usage: oauth-bench [batches] [rounds]
//        oauth-bench tenants [organisations] [rounds]   (one partner connection, a tenant per organisation:
//        TenantBench.swift)
import AsyncHTTPClient
import Bifrost
import BifrostCrypto
import BifrostOAuth
import BifrostStore
import BifrostTestSupport
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import Synchronization

let arguments = CommandLine.arguments
if arguments.count > 1, arguments[1] == "tenants" {
    var quiet = Logger(label: "oauth-bench")
    quiet.logLevel = .critical
    try await tenantBench(
        organizations: arguments.count > 2 ? Int(arguments[2]) ?? 1_000 : 1_000,
        rounds: arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3, logger: quiet)
    exit(0)
}
let batches = arguments.count > 1 ? Int(arguments[1]) ?? 2_000 : 2_000
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
var silent = Logger(label: "oauth-bench")
silent.logLevel = .critical
let logger = silent

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}

try await FakeOAuthProvider.withProvider { provider in
    try await TestPostgres.withDatabase { url in
        try await TestPostgres.withClient(url) { client in
            try await Migrator(client: client, migrations: MigrationCatalog.bundled(), logger: logger).migrate()
            let keys = KeyRing(client: client, master: .random(), logger: logger)
            let organization = try await PostgresOrganizationRepository(client: client, logger: logger).create(
                name: "A", domain: nil
            ).id
            let scope = Scope.organization(organization)
            let store = PostgresOAuthConnectionRepository(client: client, keys: keys, logger: logger)
            let connection = try await store.create(
                "microsoft",
                OAuthConnectionSettings(
                    provider: "microsoft", flow: .authorizationCode, clientID: provider.clientID,
                    scopes: ["User.Read.All"],
                    authorizeURL: provider.authorizeURL, tokenURL: provider.tokenURL
                ),
                clientSecret: provider.clientSecret, in: scope, by: "bench"
            )
            // The fake provider listens on loopback.
            let policy = ProviderURLPolicy(allowInsecureLoopback: true)
            let broker = OAuthBroker(
                connections: store, catalogue: try OAuthProviderCatalogue.load(),
                audit: PostgresAuditLog(client: client, logger: logger),
                settings: {
                    var settings = OAuthBroker.Settings(); settings.urlPolicy = policy; return settings
                }(),
                logger: logger
            )
            // Connect: the authorization request, the provider's redirect, the code exchange.
            let started = try await PostgresOAuthStateRepository(client: client, keys: keys, logger: logger)
                .begin(for: connection, by: .init(kind: "user", id: UUID(), label: "bench"))
            let (state, verifier) = (started.state, started.verifier)
            let address = AuthorizationRequest.url(
                try OAuthProviderCatalogue.load().endpoints(of: connection), clientID: provider.clientID,
                redirectURI: "http://127.0.0.1/cb", state: state, verifier: verifier
            )!
            let browser = HTTPClient(
                eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            let location = try await browser.execute(HTTPClientRequest(url: address), timeout: .seconds(10)).headers
                .first(name: "Location")!
            try await browser.shutdown()
            let code = URLComponents(string: location)!.queryItems!.first { $0.name == "code" }!.value!
            _ = try await broker.completeAuthorization(
                of: connection.id, code: code, verifier: verifier, redirectURI: "http://127.0.0.1/cb")

            // 1. Cached tokens.
            _ = try await broker.token("microsoft", for: scope)
            let clock = ContinuousClock()
            var cached: [Double] = []
            for _ in 0..<batches {
                let start = clock.now
                for _ in 0..<1_000 { _ = try await broker.token("microsoft", for: scope) }
                cached.append(nanoseconds(clock.now - start) / 1_000)
            }
            struct Key: Hashable { var organization: UUID?; var name: String }
            let floor = Mutex<[Key: OAuthToken]>([
                Key(organization: organization, name: "microsoft"): OAuthToken(
                    accessToken: "x", tokenType: "Bearer", expiresAt: Date(), scopes: [], apiBaseURLs: []
                )
            ])
            var lookups: [Double] = []
            for _ in 0..<batches {
                let start = clock.now
                for _ in 0..<1_000 {
                    let found = floor.withLock { $0[Key(organization: organization, name: "microsoft")] }
                    precondition(found != nil)
                }
                lookups.append(nanoseconds(clock.now - start) / 1_000)
            }
            print(
                String(
                    format: "cached token(_:for:): p50 %.0f ns, p99 %.0f ns per call (%d batches of 1,000)",
                    percentile(cached, 0.5), percentile(cached, 0.99), batches
                ))
            print(
                String(
                    format:
                        "baseline Mutex-guarded dictionary lookup: p50 %.0f ns, p99 %.0f ns; ratio (broker / lookup, p50) %.2f",
                    percentile(lookups, 0.5), percentile(lookups, 0.99),
                    percentile(cached, 0.5) / percentile(lookups, 0.5)
                ))

            // 2. A thousand callers on an expired token, the provider 50 ms slow.
            provider.delay(.milliseconds(50))
            let endpoint = TokenEndpoint(policy: policy)
            var stampede: [Double] = []
            var single: [Double] = []
            for _ in 0..<rounds {
                try await client.query(
                    "UPDATE oauth_connections SET expires_at = now() - interval '1 minute' WHERE id = \(connection.id)",
                    logger: logger
                )
                broker.forgetAll()
                let before = provider.tokenRequests("refresh_token")
                let start = clock.now
                let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
                    for _ in 0..<1_000 {
                        group.addTask { try await broker.token("microsoft", for: scope)?.accessToken }
                    }
                    return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
                }
                stampede.append(nanoseconds(clock.now - start) / 1e6)
                precondition(tokens.count == 1 && provider.tokenRequests("refresh_token") == before + 1)

                let one = clock.now
                _ = try await endpoint.clientCredentials(
                    scopes: [], at: provider.tokenURL, clientID: provider.clientID, clientSecret: provider.clientSecret
                )
                single.append(nanoseconds(clock.now - one) / 1e6)
            }
            print(
                String(
                    format:
                        "1,000 callers on an expired token, provider +50 ms: median %.1f ms until all hold the new token (rounds: %@), one refresh each",
                    percentile(stampede, 0.5), stampede.map { String(format: "%.1f", $0) }.joined(separator: ", ")
                ))
            print(
                String(
                    format:
                        "baseline one token request to the same provider: median %.1f ms; ratio (1,000 callers / one request) %.2f",
                    percentile(single, 0.5), percentile(stampede, 0.5) / percentile(single, 0.5)
                ))
        }
    }
}
