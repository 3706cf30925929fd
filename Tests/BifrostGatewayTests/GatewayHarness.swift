import Bifrost
import BifrostCrypto
import BifrostEngine
import BifrostGateway
import BifrostOAuth
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import ExampleWorkflows
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import Logging
import PostgresNIO
import Prometheus

/// Builds the real gateway router on a fresh database and drives it in-process.
enum GatewayHarness {
    /// - Parameters:
    ///   - migrate: whether to bring the schema up to date first (as `MigrationService` does at start-up).
    ///   - addRoutes: extra routes a test mounts behind the gateway's own middleware.
    static func withGateway(
        configuration: GatewayConfiguration = GatewayConfiguration(),
        migrate: Bool = true,
        logger: Logger = TestPostgres.logger,
        addRoutes: @Sendable (Router<GatewayRequestContext>) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, PrometheusCollectorRegistry) async throws -> Void
    ) async throws {
        try await withGatewayAndDatabase(
            configuration: configuration, migrate: migrate, logger: logger, addRoutes: addRoutes
        ) {
            client, context in try await body(client, context.metrics)
        }
    }

    /// What a test may use besides the HTTP client.
    struct Context: Sendable {
        var metrics: PrometheusCollectorRegistry
        var database: PostgresClient
        var tokens: AccessTokens
        /// The in-process HTTP client, for requests with hand-made headers.
        var client: any TestClientProtocol
        /// The engine behind the routes (and the job workers, unless `workflows.workers` is 0).
        var engine: ExecutionEngine
        /// The envelope keys behind the secrets routes.
        var keyRing: KeyRing
        /// The OAuth broker behind runs' `context.oauth` and the OAuth routes.
        var oauth: OAuthBroker

        /// A JSON client signed in as `user` with a fresh gateway token.
        func caller(_ user: User) async throws -> AdminAPITestClient {
            AdminAPITestClient(client: client, token: try await token(for: user))
        }

        /// A fresh gateway access token for `user`, of a new login session.
        func token(for user: User) async throws -> String {
            try await AuthFixtures.signIn(user, tokens: tokens, on: database)
        }
    }

    static func withGatewayAndDatabase(
        configuration: GatewayConfiguration = GatewayConfiguration(),
        migrate: Bool = true,
        logger: Logger = TestPostgres.logger,
        rateLimits: RateLimits = .unlimited,
        extraWorkflows: [any Workflow.Type] = [],
        live: Bool = false,
        oauthSettings: OAuthBroker.Settings = .forTests,
        loginThrottle: LoginThrottle = LoginThrottle(),
        oauthProviders: OAuthProviderCatalogue? = nil,
        addRoutes: @Sendable (Router<GatewayRequestContext>) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, Context) async throws -> Void
    ) async throws {
        try await TestPostgres.withDatabase(migrated: migrate) { url in
            try await TestPostgres.withClient(url) { client in
                let schema = SchemaState()
                if migrate {
                    try await Migrator(
                        client: client, migrations: MigrationCatalog.bundled(), logger: TestPostgres.logger
                    )
                    .migrate()
                    schema.markCurrent()
                }
                let metrics = PrometheusCollectorRegistry()
                let tokens = try await AccessTokens(
                    privateKeyPEM: AccessTokens.generatePrivateKeyPEM(), lifetime: .seconds(900))
                let keyRing = KeyRing(client: client, master: .random(), logger: logger)
                var dependencies = Gateway.Dependencies(
                    database: client, schema: schema, metrics: metrics, tokens: tokens,
                    policy: try AccessPolicy.load(directory: nil), rateLimits: rateLimits,
                    catalogue: try WorkflowCatalogue(
                        workflows: ExampleWorkflows.workflows + extraWorkflows,
                        dataProviders: ExampleWorkflows.dataProviders
                    ),
                    keyRing: keyRing, oauthProviders: oauthProviders, oauthSettings: oauthSettings
                )
                dependencies.loginThrottle = loginThrottle
                let oauth = dependencies.oauth
                let engine = Gateway.buildEngine(
                    configuration: configuration, dependencies: dependencies, logger: logger)
                let routers = try Gateway.buildRouters(
                    configuration: configuration, dependencies: dependencies, engine: engine, logger: logger
                )
                let router = routers.http
                // The job workers and the notification listener, as `bifrost serve` runs them, the workers polling
                // often so queued runs start promptly.
                let jobWorkers = JobWorkers(
                    engine: engine, schema: schema, concurrency: configuration.workflows.workers,
                    pollInterval: .milliseconds(200), logger: logger
                )
                let listener = NotificationListener(
                    client: client, subscriptions: dependencies.subscriptions(engine: engine, workers: jobWorkers),
                    logger: logger
                )
                let workers = Task {
                    try await withThrowingDiscardingTaskGroup { group in
                        group.addTask { try await jobWorkers.run() }
                        group.addTask { try await listener.run() }
                    }
                }
                addRoutes(router)
                // Live: a real socket on loopback, with WebSocket upgrades, as `bifrost serve` listens.
                let app = Application(
                    router: router, server: .http1WebSocketUpgrade(webSocketRouter: routers.webSocket),
                    configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger
                )
                var failure: (any Error)?
                do {
                    try await app.test(live ? .live : .router) { testClient in
                        try await body(
                            testClient,
                            Context(
                                metrics: metrics, database: client, tokens: tokens, client: testClient, engine: engine,
                                keyRing: keyRing, oauth: oauth))
                    }
                } catch {
                    failure = error
                }
                workers.cancel()
                _ = await workers.result
                if let failure { throw failure }
            }
        }
    }
}

extension OAuthBroker.Settings {
    /// Retries that do not slow the tests down, and a provider on loopback allowed (the fake one).
    static var forTests: Self {
        var settings = Self()
        settings.retryDelays = [.milliseconds(10), .milliseconds(20), .milliseconds(40)]
        // The whole suite shares two cores with its in-process fake providers, and each token request opens a
        // connection of its own (to the address it checked). A request that times out is retried, and the
        // provider then counts two where tests expect one: give it far more time than it ever needs.
        settings.requestTimeout = .seconds(60)
        settings.urlPolicy = ProviderURLPolicy(allowInsecureLoopback: true)
        return settings
    }
}

extension FakeOAuthProvider {
    /// The provider catalogue of `catalogueYAML`: `microsoft` is this fake provider.
    var catalogue: OAuthProviderCatalogue {
        get throws { try OAuthProviderCatalogue.parse(catalogueYAML, file: "test catalogue") }
    }
}
