import BifrostCrypto
public import BifrostEngine
import BifrostOAuth
public import BifrostRuntime
public import BifrostStore
import Foundation
import Hummingbird
public import Logging
public import PostgresNIO
import Prometheus
public import ServiceLifecycle
import UnixSignals

/// The whole `bifrost serve` process: database (embedded or external), migrations and the HTTP server, run
/// as one `ServiceGroup` that drains on SIGTERM or SIGINT.
///
/// Start order: embedded cluster (when no database URL is set), database pool, then what `Gateway.assemble`
/// lists (runs' outbound HTTP client, migrations, notification listener, heartbeat, schedule ticker, retention
/// sweeper, OAuth refresher, job workers, HTTP server). Shutdown runs in reverse: the server stops accepting and
/// finishes in-flight requests (within `http.shutdownTimeout`), the workers finish or hand back their runs (within
/// `workflows.drainTimeout`), then the outbound HTTP client shuts down, then the pool closes, then the embedded
/// cluster stops.
public struct GatewayServer: Sendable {
    private let configuration: GatewayConfiguration
    private let catalogue: WorkflowCatalogue
    private let logger: Logger

    public init(configuration: GatewayConfiguration, catalogue: WorkflowCatalogue, logger: Logger) {
        self.configuration = configuration
        self.catalogue = catalogue
        self.logger = logger
    }

    /// Runs until a shutdown signal, then drains and returns.
    /// - Throws: when the embedded database cannot start, or a migration fails.
    public func run() async throws {
        let masterKey = try MasterKeyLoader.load(configuration, logger: logger)
        if let url = configuration.database.url {
            return try await run(database: url, embedded: nil, masterKey: masterKey)
        }
        let embedded = EmbeddedPostgres(settings: configuration.embeddedPostgres, logger: logger)
        let url = try await embedded.start()
        do {
            try await run(database: url, embedded: embedded, masterKey: masterKey)
        } catch {
            // A start that fails before the services run (a bad policy file, say) must not leave the cluster up.
            try? await embedded.stop()
            throw error
        }
    }

    /// Runs every service on the database at `databaseURL`; `embedded`, when given, is stopped last.
    private func run(
        database databaseURL: DatabaseURL, embedded: EmbeddedPostgres?,
        masterKey: (current: SecretKey, previous: [SecretKey])
    ) async throws {
        if embedded == nil {
            logger.info("Using external PostgreSQL", metadata: ["bifrost.db.url": "\(databaseURL)"])
        }

        let client = PostgresClient(
            configuration: databaseURL.clientConfiguration(
                maximumConnections: configuration.database.maxConnections,
                minimumConnections: configuration.database.minConnections, keepAlive: configuration.database.keepAlive
            ),
            backgroundLogger: logger
        )
        // Behind a transaction-pooling proxy, LISTEN and the migration lock need sessions of their own.
        let sessions = configuration.database.directURL.map {
            PostgresClient(
                configuration: $0.clientConfiguration(maximumConnections: 2, minimumConnections: 1),
                backgroundLogger: logger)
        }
        let keyRing = KeyRing(client: client, master: masterKey.current, previous: masterKey.previous, logger: logger)
        // `auth.signingKeyFile` fixes the key; otherwise the deployment's keys come from the database after the
        // migrations (`SigningKeys.load`).
        let lifetime = configuration.auth.accessTokenLifetime
        let tokens =
            try await configuration.auth.signingKeyFile.asyncMap {
                try await AccessTokens(
                    privateKeyPEM: try OwnerOnlyFile.read($0, key: "auth.signingKeyFile"), lifetime: lifetime)
            } ?? AccessTokens(lifetime: lifetime)
        var dependencies = Gateway.Dependencies(
            database: client, schema: SchemaState(), metrics: PrometheusCollectorRegistry(), tokens: tokens,
            policy: try AccessPolicy.load(directory: configuration.policiesDirectory),
            rateLimits: try RateLimits.load(directory: configuration.policiesDirectory),
            catalogue: catalogue, keyRing: keyRing,
            oauthProviders: try OAuthProviderCatalogue.load(path: configuration.oauth.providersFile),
            oauthSettings: configuration.oauth.brokerSettings
        )
        dependencies.sessionDatabase = sessions
        let assembly = try Gateway.assemble(configuration: configuration, dependencies: dependencies, logger: logger)
        // The trace exporter runs first so that it stops last, after every span is ended.
        let exporter: [ServiceGroupConfiguration.ServiceConfiguration] =
            try TraceExporter.bootstrap(configuration.tracing, logger: logger).map { [.init(service: $0)] } ?? []
        let services =
            exporter
            + Self.services(
                of: assembly, database: client, sessionDatabase: sessions, embedded: embedded, http: configuration.http)

        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )
        // Services stop in reverse order: the HTTP server drains its requests, then the workers theirs.
        groupConfiguration.maximumGracefulShutdownDuration =
            configuration.http.shutdownTimeout + configuration.workflows.drainTimeout + .seconds(1)
        groupConfiguration.maximumCancellationDuration = .seconds(2)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }

    /// What `bifrost serve` runs, in start order: the embedded cluster (if any), the database pools, then the
    /// assembly's services with the HTTP server on `http`'s host and port.
    public static func services(
        of assembly: GatewayAssembly, database: PostgresClient, sessionDatabase: PostgresClient? = nil,
        embedded: EmbeddedPostgres?, http: GatewayConfiguration.HTTP
    ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let database: [ServiceGroupConfiguration.ServiceConfiguration] =
            (embedded.map { [.init(service: $0)] } ?? []) + [.init(service: database)]
            + (sessionDatabase.map { [.init(service: $0)] } ?? [])
        return database + assembly.services(host: http.host, port: http.port)
    }
}
