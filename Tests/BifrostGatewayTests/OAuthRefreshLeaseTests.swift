import BifrostCrypto
import BifrostOAuth
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// A refresh is a lease on the connection's row, not a held connection: a provider that is slow or down cannot
/// drain the pool, a replica that died mid-refresh gives the connection up when its lease lapses, and the
/// refresh-ahead service shares due connections between replicas and keeps providers apart.
@Suite struct OAuthRefreshLeaseTests {
    @Test func aRefreshWaitingOnItsProviderHoldsNoDatabaseConnection() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await OAuthBrokerTests.withConnected(provider) { url, client, keys, scope, connection in
                try await OAuthBrokerTests.expire(connection, on: client)
                // A replica whose pool has a single connection: a refresh that kept it would starve everything.
                let single = PostgresClient(
                    configuration: url.clientConfiguration(maximumConnections: 1), backgroundLogger: TestPostgres.logger
                )
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await single.run() }
                    defer { group.cancelAll() }
                    let broker = OAuthBrokerTests.broker(single, keys: keys)
                    provider.holdTokenRequests()
                    let refreshing = Task { try await broker.token("microsoft", for: scope)?.accessToken }
                    #expect(try await eventually { provider.heldTokenRequests == 1 })

                    // While the provider has not answered: the pool serves other work, no transaction is open,
                    // and the lease names who refreshes.
                    // (Bounded, so that the old behaviour fails the test instead of hanging it.)
                    let answered = try await withDeadline(.seconds(30)) {
                        try await Self.count("SELECT count(*) FROM organizations", on: single)
                    }
                    #expect(answered == 1)
                    let inTransaction = try await Self.count(
                        """
                        SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND state LIKE 'idle in transaction%'
                        """, on: client)
                    #expect(inTransaction == 0)
                    let leased = try await Self.count(
                        "SELECT count(*) FROM oauth_connections WHERE refresh_holder IS NOT NULL", on: client)
                    #expect(leased == 1)

                    // Another replica asking meanwhile waits for the lease instead of asking the provider.
                    let other = OAuthBrokerTests.broker(client, keys: keys)
                    let waiting = Task { try await other.token("microsoft", for: scope)?.accessToken }
                    provider.releaseTokenRequests()
                    let token = try await refreshing.value
                    #expect(token != nil)
                    #expect(try await waiting.value == token)
                    #expect(provider.tokenRequests("refresh_token") == 1)
                    let released = try await Self.count(
                        "SELECT count(*) FROM oauth_connections WHERE refresh_holder IS NOT NULL", on: client)
                    #expect(released == 0)
                }
            }
        }
    }

    @Test func theLeaseOfAReplicaThatDiedLapsesAndAnotherRefreshes() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await OAuthBrokerTests.withConnected(provider) { _, client, keys, scope, connection in
                try await OAuthBrokerTests.expire(connection, on: client)
                // What a replica killed mid-refresh leaves behind: a lease it will never release, now lapsed.
                try await client.query(
                    """
                    UPDATE oauth_connections SET refresh_holder = gen_random_uuid(),
                        refresh_until = now() - interval '1 second' WHERE id = \(connection.id)
                    """,
                    logger: TestPostgres.logger)
                let broker = OAuthBrokerTests.broker(client, keys: keys)
                #expect(try await broker.token("microsoft", for: scope) != nil)
                #expect(provider.tokenRequests("refresh_token") == 1)
            }
        }
    }

    @Test func refreshAheadSharesDueConnectionsBetweenReplicasAndKeepsProvidersApart() async throws {
        try await FakeOAuthProvider.withProvider { microsoft in
            try await FakeOAuthProvider.withProvider { google in
                try await TestPostgres.withMigratedDatabase { url, client in
                    let keys = KeyRing(client: client, master: .random(), logger: TestPostgres.logger)
                    let organization = try await AuthFixtures.createOrganization("A", on: client)
                    let scope = Scope.organization(organization)
                    let broker = OAuthBrokerTests.broker(client, keys: keys)
                    func connect(_ name: String, _ provider: String, _ fake: FakeOAuthProvider) async throws {
                        _ = try await broker.connections.create(
                            name,
                            OAuthConnectionSettings(
                                provider: provider, flow: .clientCredentials, clientID: fake.clientID,
                                scopes: ["x"], authorizeURL: fake.authorizeURL, tokenURL: fake.tokenURL),
                            clientSecret: fake.clientSecret, in: scope, by: "test")
                        _ = try await broker.token(name, for: scope)
                    }
                    for index in 1...8 { try await connect("m\(index)", "microsoft", microsoft) }
                    for index in 1...2 { try await connect("g\(index)", "google", google) }
                    #expect(microsoft.tokenRequests("client_credentials") == 8)
                    #expect(google.tokenRequests("client_credentials") == 2)
                    // Every token now expires within the refresh margin.
                    try await client.query(
                        "UPDATE oauth_connections SET expires_at = now() + interval '1 minute'",
                        logger: TestPostgres.logger)

                    try await TestPostgres.withClient(url) { otherClient in
                        var settings = OAuthBroker.Settings.forTests
                        settings.refreshAheadPerProvider = 4
                        let refreshers = [client, otherClient].map {
                            OAuthRefresher(
                                broker: OAuthBrokerTests.broker($0, keys: keys, settings: settings),
                                schema: .alreadyCurrent, logger: TestPostgres.logger)
                        }
                        microsoft.holdTokenRequests()
                        let passes = refreshers.map { refresher in Task { await refresher.refreshExpiring() } }
                        // Microsoft is not answering: each replica took four of its eight connections, and
                        // Google's were refreshed all the same.
                        #expect(try await eventually { microsoft.heldTokenRequests == 8 })
                        #expect(try await eventually { google.tokenRequests("client_credentials") == 4 })
                        microsoft.releaseTokenRequests()
                        var counts: [Int] = []
                        for pass in passes { counts.append(await pass.value) }
                        #expect(counts.reduce(0, +) == 10)
                        #expect(counts.allSatisfy { $0 >= 4 })
                        #expect(microsoft.tokenRequests("client_credentials") == 16)
                        let due = try await Self.count(
                            "SELECT count(*) FROM oauth_connections WHERE expires_at < now() + interval '30 minutes'",
                            on: client)
                        #expect(due == 0)
                    }
                }
            }
        }
    }

    private static func count(_ sql: String, on client: PostgresClient) async throws -> Int64 {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestPostgres.logger)
        for try await count in rows.decode(Int64.self) { return count }
        return -1
    }
}
