import Bifrost
import BifrostCrypto
import BifrostEngine
import BifrostGateway
import BifrostOAuth
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle
import TestbedWorkflows

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
        /// The type names of the services running beside the test, the HTTP server last.
        var services: [String]

        /// A JSON client signed in as `user` with a fresh gateway token.
        func caller(_ user: User) async throws -> AdminAPITestClient {
            AdminAPITestClient(client: client, token: try await token(for: user))
        }

        /// A fresh gateway access token for `user`, of a new login session.
        func token(for user: User) async throws -> String {
            try await AuthFixtures.signIn(user, tokens: tokens, on: database)
        }
    }

    /// Runs a whole gateway on a fresh database (migrated from the template when `migrate`) and `body` against it.
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
        migrations: [Migration]? = nil,
        addRoutes: @Sendable (Router<GatewayRequestContext>) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, Context) async throws -> Void
    ) async throws {
        try await TestPostgres.withDatabase(migrated: migrate) { url in
            try await TestPostgres.withClient(url) { client in
                var dependencies = try await dependencies(
                    database: client, rateLimits: rateLimits, extraWorkflows: extraWorkflows,
                    oauthSettings: oauthSettings, oauthProviders: oauthProviders
                )
                dependencies.loginThrottle = loginThrottle
                try await withGateway(
                    dependencies, configuration: configuration, migrations: migrations, waitForSchema: migrate,
                    live: live, logger: logger, addRoutes: addRoutes, body)
            }
        }
    }

    /// The master key of every test gateway: replicas on one database must share one, as they do in production
    /// (a key ring opened under another is refused at start-up).
    static let masterKey = SecretKey.random()

    /// The dependencies of a test gateway on `database`: the example workflows and `extraWorkflows`, the built-in
    /// policy, the database's signing keys, a key ring under `masterKey` unless `keyRing` is given.
    static func dependencies(
        database: PostgresClient, rateLimits: RateLimits = .unlimited, extraWorkflows: [any Workflow.Type] = [],
        keyRing: KeyRing? = nil, credentials: CredentialCache = CredentialCache(),
        oauthSettings: OAuthBroker.Settings = .forTests, oauthProviders: OAuthProviderCatalogue? = nil
    ) async throws -> Gateway.Dependencies {
        Gateway.Dependencies(
            database: database, schema: SchemaState(), metrics: PrometheusCollectorRegistry(),
            tokens: AccessTokens(lifetime: .seconds(900)),
            policy: try AccessPolicy.load(directory: nil), rateLimits: rateLimits,
            catalogue: try WorkflowCatalogue(
                workflows: TestbedWorkflows.workflows + extraWorkflows, dataProviders: TestbedWorkflows.dataProviders
            ),
            credentials: credentials,
            keyRing: keyRing ?? KeyRing(client: database, master: masterKey, logger: TestPostgres.logger),
            oauthProviders: oauthProviders, oauthSettings: oauthSettings
        )
    }

    /// How the test gateway's services are paced: workers poll often so that queued runs start promptly, the
    /// OAuth refresher waits an hour after its first look (tests count token requests), and the schedule clock
    /// stands still in 2001, so no slot of a real day fires while a test runs (`ScheduleTests` tick by hand).
    static var timing: Gateway.Timing {
        var timing = Gateway.Timing()
        timing.workerPoll = .milliseconds(200)
        timing.refreshAhead = .seconds(3_600)
        timing.scheduleClock = { Date(timeIntervalSince1970: 978_307_230) }
        return timing
    }

    /// Runs the gateway `Gateway.assemble` builds from `dependencies`, as `bifrost serve` does: every background
    /// service in a group, and the HTTP server through HummingbirdTesting (in process, or on a loopback socket when
    /// `live`). `body` starts once the schema is current (unless `waitForSchema` is false); the services are
    /// cancelled when it returns.
    static func withGateway(
        _ dependencies: Gateway.Dependencies,
        configuration: GatewayConfiguration = GatewayConfiguration(),
        migrations: [Migration]? = nil,
        waitForSchema: Bool = true,
        live: Bool = false,
        logger: Logger = TestPostgres.logger,
        addRoutes: @Sendable (Router<GatewayRequestContext>) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, Context) async throws -> Void
    ) async throws {
        let assembly = try Gateway.assemble(
            configuration: configuration, dependencies: dependencies, migrations: migrations, timing: timing,
            logger: logger
        )
        addRoutes(assembly.http)
        let application = assembly.application(host: "127.0.0.1", port: 0)
        let listeners = try await TestPostgres.listenerCount(dependencies.database)
        let services = ServiceGroup(configuration: .init(services: assembly.background, logger: logger))
        let running =
            GatewayAssembly.names(of: assembly.background) + [String(describing: type(of: application))]
        let engine = assembly.engine
        // The task group does not outlive this call, so `body` does not escape it.
        try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: Bool.self) { tasks in
                tasks.addTask {
                    try await services.run()
                    return false
                }
                tasks.addTask {
                    try await application.test(live ? .live : .router) { client in
                        if waitForSchema {
                            try await dependencies.schema.waitUntilCurrent()
                            // Notifications sent before this gateway listens would be lost to it.
                            try await TestPostgres.waitForListeners(dependencies.database, count: listeners + 1)
                        }
                        let context = Context(
                            metrics: dependencies.metrics, database: dependencies.database, tokens: dependencies.tokens,
                            client: client, engine: engine, keyRing: dependencies.keyRing, oauth: dependencies.oauth,
                            services: running
                        )
                        try await body(client, context)
                    }
                    return true
                }
                // The test's end stops the services; services that fail (a refused migration) end the test.
                while let bodyEnded = try await tasks.next() {
                    if bodyEnded { break }
                }
                tasks.cancelAll()
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
