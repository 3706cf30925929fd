import Bifrost
import BifrostCrypto
import BifrostGateway
import BifrostOAuth
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// The broker against a real provider on loopback: one refresh however many callers on two replicas ask, the
/// provider's refusals and outages, client credentials minted again before expiry.
@Suite struct OAuthBrokerTests {
    /// One gateway replica's broker: its own connection pool to the shared database.
    static func broker(_ client: PostgresClient, keys: KeyRing, settings: OAuthBroker.Settings = .forTests)
        -> OAuthBroker
    {
        OAuthBroker(
            connections: PostgresOAuthConnectionRepository(client: client, keys: keys, logger: TestPostgres.logger),
            catalogue: try! OAuthProviderCatalogue.load(),
            audit: PostgresAuditLog(client: client, logger: TestPostgres.logger),
            settings: settings, logger: TestPostgres.logger
        )
    }

    /// A database with an organisation whose `microsoft` connection is connected through `provider`.
    static func withConnected(
        _ provider: FakeOAuthProvider, flow: OAuthConnection.Flow = .authorizationCode,
        _ body: @Sendable (DatabaseURL, PostgresClient, KeyRing, Scope, OAuthConnection) async throws -> Void
    ) async throws {
        try await TestPostgres.withMigratedDatabase { url, client in
            let master = SecretKey.random()
            let keys = KeyRing(client: client, master: master, logger: TestPostgres.logger)
            let organization = try await AuthFixtures.createOrganization("A", on: client)
            let scope = Scope.organization(organization)
            let store = PostgresOAuthConnectionRepository(client: client, keys: keys, logger: TestPostgres.logger)
            var connection = try await store.create(
                "microsoft",
                OAuthConnectionSettings(
                    provider: "microsoft", flow: flow, clientID: provider.clientID, scopes: ["User.Read.All"],
                    authorizeURL: provider.authorizeURL, tokenURL: provider.tokenURL
                ),
                clientSecret: provider.clientSecret, in: scope, by: "test"
            )
            if flow == .authorizationCode {
                let states = PostgresOAuthStateRepository(client: client, keys: keys, logger: TestPostgres.logger)
                let started = try await states.begin(
                    for: connection, by: .init(kind: "user", id: UUID(), label: "test"))
                let (state, verifier) = (started.state, started.verifier)
                let endpoints = try OAuthProviderCatalogue.load().endpoints(of: connection)
                let address = try #require(
                    AuthorizationRequest.url(
                        endpoints, clientID: provider.clientID, redirectURI: "http://127.0.0.1/cb", state: state,
                        verifier: verifier
                    ))
                let (code, _) = try await OAuthFlowTests.browse(address)
                connection = try await broker(client, keys: keys).completeAuthorization(
                    of: connection.id, code: code, verifier: verifier, redirectURI: "http://127.0.0.1/cb"
                )
            }
            try await body(url, client, keys, scope, connection)
        }
    }

    static func expire(_ connection: OAuthConnection, on client: PostgresClient) async throws {
        try await client.query(
            "UPDATE oauth_connections SET expires_at = now() - interval '1 minute' WHERE id = \(connection.id)",
            logger: TestPostgres.logger
        )
    }

    @Test func aThousandCallersOnTwoReplicasCauseOneRefresh() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await Self.withConnected(provider) { url, client, keys, scope, connection in
                try await Self.expire(connection, on: client)
                provider.delay(.milliseconds(50))
                try await TestPostgres.withClient(url) { otherClient in
                    let replicas = [Self.broker(client, keys: keys), Self.broker(otherClient, keys: keys)]
                    let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
                        for index in 0..<1_000 {
                            group.addTask { try await replicas[index % 2].token("microsoft", for: scope)?.accessToken }
                        }
                        return try await group.reduce(into: [String?]()) { $0.append($1) }
                    }
                    #expect(tokens.count == 1_000)
                    #expect(Set(tokens).count == 1)
                    #expect(tokens.first??.isEmpty == false)
                    #expect(provider.tokenRequests("refresh_token") == 1)
                    #expect(provider.reusedRefreshTokens == 0)
                    // Served from memory from now on: no further request.
                    _ = try await replicas[0].token("microsoft", for: scope)
                    #expect(provider.tokenRequests("refresh_token") == 1)
                }
            }
        }
    }

    @Test func invalidGrantAsksForReauthorizationAndIsAudited() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await Self.withConnected(provider) { url, client, keys, scope, connection in
                try await Self.expire(connection, on: client)
                provider.behave(.rejectingRefresh)
                let broker = Self.broker(client, keys: keys)
                do {
                    _ = try await broker.token("microsoft", for: scope)
                    Issue.record("a refused refresh gave a token")
                } catch let error as OAuthBrokerError {
                    guard case .needsReauth = error else { Issue.record("\(error)"); return }
                    #expect(error.description.contains("must be connected again"))
                }
                let stored = try #require(try await broker.connections.find(id: connection.id))
                #expect(stored.status == .needsReauth)
                // The OAuth error code and the HTTP status, never the provider's own words ("revoked").
                #expect(stored.lastError == "invalid_grant (HTTP 400)")
                // Asked again, it does not bother the provider: the admin must reconnect.
                await #expect(throws: OAuthBrokerError.self) { _ = try await broker.token("microsoft", for: scope) }
                #expect(provider.tokenRequests("refresh_token") == 1)
                let audited = try await client.query(
                    "SELECT count(*) FROM audit_events WHERE action = 'oauth.needs_reauth' AND target_id = 'microsoft'",
                    logger: TestPostgres.logger
                )
                for try await count in audited.decode(Int.self) { #expect(count == 1) }
            }
        }
    }

    @Test func outagesAreRetriedAndNeverAskForReauthorization() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await Self.withConnected(provider) { url, client, keys, scope, connection in
                let broker = Self.broker(client, keys: keys)
                // Two 500s, then an answer: retried, and the third request succeeds.
                try await Self.expire(connection, on: client)
                provider.behave(.failing(count: 2))
                #expect(try await broker.token("microsoft", for: scope) != nil)
                #expect(provider.tokenRequests("refresh_token") == 3)
                #expect(try await broker.connections.find(id: connection.id)?.status == .connected)

                // A provider that hangs, while the stored token is still valid: the valid token is handed out,
                // the status stays connected, the error is recorded.
                let valid = try #require(try await broker.connections.find(id: connection.id))
                provider.behave(.hanging)
                var oneRetry = OAuthBroker.Settings.forTests
                oneRetry.retryDelays = [.milliseconds(10)]
                oneRetry.requestTimeout = .seconds(2)
                try await Self.broker(client, keys: keys, settings: oneRetry).forceRefresh(valid)
                let afterHang = try #require(try await broker.connections.find(id: connection.id))
                #expect(afterHang.status == .connected)
                #expect(afterHang.lastError == "provider unreachable")
                #expect(provider.tokenRequests("refresh_token") == 3 + 2)

                // The same outage with an expired token: an error that says the provider is unavailable.
                try await Self.expire(connection, on: client)
                provider.behave(.failing(count: 100))
                broker.forgetAll()
                await #expect(
                    throws: OAuthBrokerError.providerUnavailable(
                        connection: "microsoft", reason: "provider unavailable (HTTP 500)")
                ) {
                    _ = try await broker.token("microsoft", for: scope)
                }
                #expect(try await broker.connections.find(id: connection.id)?.status == .connected)
            }
        }
    }

    @Test func clientCredentialsAreMintedOnDemandAndAgainBeforeExpiry() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await Self.withConnected(provider, flow: .clientCredentials) { _, client, keys, scope, _ in
                let broker = Self.broker(client, keys: keys)
                let first = try #require(try await broker.token("microsoft", for: scope))
                #expect(provider.tokenRequests("client_credentials") == 1)
                #expect(try await broker.token("microsoft", for: scope) == first)
                #expect(provider.tokenRequests("client_credentials") == 1)

                // Tokens that expire within the refresh margin plus two refresher intervals are minted again by
                // the refresh-ahead service, not by a waiting run.
                provider.issueTokens(lasting: 60)
                try await Self.expire(
                    try #require(try await broker.connections.find("microsoft", in: scope)), on: client)
                let refresher = OAuthRefresher(broker: broker, schema: .alreadyCurrent, logger: TestPostgres.logger)
                #expect(await refresher.refreshExpiring() == 1)
                #expect(provider.tokenRequests("client_credentials") == 2)
                broker.forgetAll()
                let second = try #require(try await broker.token("microsoft", for: scope))
                #expect(second.accessToken != first.accessToken)
            }
        }
    }

    @Test func aProvidersTokenLifetimeIsBelievedOnlyFromZeroToTenYears() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await Self.withConnected(provider, flow: .clientCredentials) { _, client, keys, scope, _ in
                let broker = Self.broker(client, keys: keys)
                provider.issueTokens(lasting: 1e300)
                let lasting = try #require(try await broker.token("microsoft", for: scope)?.expiresAt)
                #expect(lasting <= Date().addingTimeInterval(TokenEndpoint.maximumLifetime + 60))
                #expect(lasting > Date().addingTimeInterval(TokenEndpoint.maximumLifetime - 86_400))

                provider.issueTokens(lasting: -1e300)
                broker.forgetAll()
                try await Self.expire(
                    try #require(try await broker.connections.find("microsoft", in: scope)), on: client)
                let expired = try #require(try await broker.token("microsoft", for: scope)?.expiresAt)
                #expect(expired <= Date().addingTimeInterval(60))
            }
        }
    }

    @Test func aTokenURLIsCheckedBeforeEveryRequestAgainstWhatItResolvesToThen() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await TestPostgres.withMigratedDatabase { _, client in
                let keys = KeyRing(client: client, master: SecretKey.random(), logger: TestPostgres.logger)
                let scope = Scope.organization(try await AuthFixtures.createOrganization("A", on: client))
                let port = try #require(URL(string: provider.baseURL)?.port)
                // `idp.test` resolves only through this resolver: first to loopback (allowed here), later elsewhere.
                let answer = Mutex([try #require(IPAddress("127.0.0.1"))])
                var settings = OAuthBroker.Settings.forTests
                settings.urlPolicy = ProviderURLPolicy(
                    allowInsecureLoopback: true,
                    resolver: HostResolver { host in host == "idp.test" ? answer.withLock { $0 } : [] }
                )
                let broker = Self.broker(client, keys: keys, settings: settings)
                _ = try await broker.connections.create(
                    "microsoft",
                    OAuthConnectionSettings(
                        provider: "microsoft", flow: .clientCredentials, clientID: provider.clientID, scopes: [],
                        tokenURL: "http://idp.test:\(port)/token"
                    ),
                    clientSecret: provider.clientSecret, in: scope, by: "test"
                )
                // The request connects to the address that was checked (no one else can resolve `idp.test`).
                #expect(try await broker.token("microsoft", for: scope) != nil)
                #expect(provider.tokenRequests("client_credentials") == 1)

                // Now it resolves elsewhere: refused before anything is sent, whatever the first answer was.
                for address in ["10.0.0.7", "169.254.169.254", "::ffff:169.254.169.254", "fd00::7"] {
                    answer.withLock { $0 = [IPAddress(address)!] }
                    let connection = try #require(try await broker.connections.find("microsoft", in: scope))
                    let refused = OAuthBrokerError.misconfigured(
                        connection: "microsoft", reason: "the token URL points to an address that is not allowed"
                    )
                    await #expect(throws: refused) { try await broker.forceRefresh(connection) }
                    #expect(provider.tokenRequests("client_credentials") == 1, "\(address)")
                    let stored = try #require(try await broker.connections.find("microsoft", in: scope))
                    #expect(stored.lastError == "the token URL points to an address that is not allowed")
                    #expect(stored.status == .connected)
                }
            }
        }
    }

    @Test func whatProvidersAnswerAndNetworkErrorsNeverReachCallersOrLastError() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await Self.withConnected(provider, flow: .clientCredentials) { _, client, keys, _, connection in
                let broker = Self.broker(client, keys: keys)
                provider.behave(.rejecting(error: "<b>10.0.0.1</b>", description: "internal host db7.corp at 10.0.0.1"))
                do {
                    try await broker.forceRefresh(connection)
                    Issue.record("a rejected request gave a token")
                } catch {
                    #expect(
                        "\(error)"
                            == "OAuth connection \"microsoft\": the provider refused (invalid_response (HTTP 400))")
                }
                #expect(
                    try await broker.connections.find(id: connection.id)?.lastError == "invalid_response (HTTP 400)")

                // Nothing listens at the token URL: no address, port or network error in what is shown or kept.
                let closed = try #require(LoopbackPort.free())
                try await client.query(
                    "UPDATE oauth_connections SET token_url = \("http://127.0.0.1:\(closed)/token") WHERE id = \(connection.id)",
                    logger: TestPostgres.logger
                )
                let moved = try #require(try await broker.connections.find(id: connection.id))
                // AsyncHTTPClient keeps trying to connect until a request's deadline: a short one, and one retry.
                var quick = OAuthBroker.Settings.forTests
                quick.requestTimeout = .milliseconds(500)
                quick.retryDelays = [.milliseconds(10)]
                await #expect(
                    throws: OAuthBrokerError.providerUnavailable(
                        connection: "microsoft", reason: "provider unreachable")
                ) {
                    try await Self.broker(client, keys: keys, settings: quick).forceRefresh(moved)
                }
                let stored = try #require(try await broker.connections.find(id: connection.id))
                #expect(stored.lastError == "provider unreachable")
            }
        }
    }

    @Test func aDeactivatedOrganisationsTokensAreNeitherHandedOutNorRefreshed() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await Self.withConnected(provider, flow: .clientCredentials) { _, client, keys, scope, connection in
                let broker = Self.broker(client, keys: keys)
                let listening = Task {
                    try await NotificationListener(
                        client: client, subscriptions: [broker.subscription], logger: TestPostgres.logger
                    ).run()
                }
                defer { listening.cancel() }
                try await TestPostgres.waitForListener(client)
                _ = try await broker.connections.create(
                    "shared",
                    OAuthConnectionSettings(
                        provider: "microsoft", flow: .clientCredentials, clientID: provider.clientID, scopes: [],
                        tokenURL: provider.tokenURL, sharedWithOrganizations: true
                    ),
                    clientSecret: provider.clientSecret, in: .global, by: "test"
                )
                #expect(try await broker.token("microsoft", for: scope) != nil)
                #expect(try await broker.token("shared", for: scope) != nil)
                let minted = provider.tokenRequests("client_credentials")

                let organization = try #require(scope.organizationID)
                try await client.query(
                    "UPDATE organizations SET is_active = false WHERE id = \(organization)", logger: TestPostgres.logger
                )
                // Both tokens were cached for an hour: only the deactivation's notification makes the broker refuse.
                let refused = OAuthBrokerError.organizationDeactivated(connection: "microsoft")
                var refusals: [String: any Error] = [:]
                _ = try await eventually {
                    for name in ["microsoft", "shared"] where refusals[name] == nil {
                        do {
                            _ = try await broker.token(name, for: scope)
                        } catch {
                            refusals[name] = error
                        }
                    }
                    return refusals.count == 2
                }
                #expect(refusals["microsoft"] as? OAuthBrokerError == refused)
                #expect(refusals["shared"] as? OAuthBrokerError == .organizationDeactivated(connection: "shared"))
                #expect(try await broker.token("shared", for: .global) != nil)

                // Neither the refresh-ahead service nor an admin's refresh asks the provider for it.
                try await Self.expire(connection, on: client)
                let refresher = OAuthRefresher(broker: broker, schema: .alreadyCurrent, logger: TestPostgres.logger)
                #expect(await refresher.refreshExpiring() == 0)
                await #expect(throws: refused) { try await broker.forceRefresh(connection) }
                #expect(provider.tokenRequests("client_credentials") == minted)
            }
        }
    }

    @Test func changeNotificationsNameWhatToForget() throws {
        let id = UUID()
        let organization = UUID()
        for change in [
            OAuthChange.tokens(connectionID: id), .connection(id: id, organizationID: nil, name: "microsoft"),
            .connection(id: id, organizationID: organization, name: "m-365_x"), .organization(organization),
        ] {
            #expect(OAuthChange(payload: change.payload) == change)
        }
        #expect(OAuthChange(payload: id.uuidString) == .tokens(connectionID: id))
        #expect(OAuthChange(payload: "connection \(id) global two words") == nil)
        #expect(OAuthChange(payload: "organization nope") == nil)
    }
}
