import BifrostCrypto
public import BifrostEngine
import BifrostOAuth
public import BifrostRuntime
import BifrostStore
import Foundation
import Hummingbird
public import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle
import UnixSignals

/// The whole `bifrost serve` process: database (embedded or external), migrations and the HTTP server, run
/// as one `ServiceGroup` that drains on SIGTERM or SIGINT.
///
/// Start order: embedded cluster (when no database URL is set), database pool, migrations, notification
/// listener, heartbeat, scheduler, retention sweeper, job workers, HTTP server. Shutdown runs in reverse: the
/// server stops accepting and finishes in-flight requests (within `http.shutdownTimeout`), the workers finish
/// or hand back their runs (within `workflows.drainTimeout`), then the pool closes, then the embedded cluster
/// stops.
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
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let embedded {
            services.append(.init(service: embedded))
        } else {
            logger.info("Using external PostgreSQL", metadata: ["bifrost.db.url": "\(databaseURL)"])
        }

        let client = PostgresClient(
            configuration: databaseURL.clientConfiguration(
                maximumConnections: configuration.database.maxConnections,
                minimumConnections: configuration.database.minConnections, keepAlive: configuration.database.keepAlive
            ),
            backgroundLogger: logger
        )
        let schema = SchemaState()
        let users = PostgresUserRepository(client: client, logger: logger)
        let instanceID = UUID()
        let instances = GatewayInstances(client: client, logger: logger)
        let keyRing = KeyRing(client: client, master: masterKey.current, previous: masterKey.previous, logger: logger)
        let migrations = MigrationService(
            client: client, migrations: try MigrationCatalog.bundled(), schema: schema, logger: logger,
            afterMigration: { [configuration, logger] in
                try await keyRing.open()
                try await AdminBootstrap.run(configuration: configuration.auth, users: users, logger: logger)
                try await instances.heartbeat(instanceID)
            }
        )
        let tokens = try await AccessTokens(
            privateKeyPEM: try SigningKeyFile.load(
                configured: configuration.auth.signingKeyFile, dataDirectory: configuration.dataDirectory,
                logger: logger
            ),
            lifetime: configuration.auth.accessTokenLifetime
        )
        let credentials = CredentialCache()
        let dependencies = Gateway.Dependencies(
            database: client, schema: schema, metrics: PrometheusCollectorRegistry(), tokens: tokens,
            policy: try AccessPolicy.load(directory: configuration.policiesDirectory),
            rateLimits: try RateLimits.load(directory: configuration.policiesDirectory),
            catalogue: catalogue, instanceID: instanceID, credentials: credentials, keyRing: keyRing,
            oauthProviders: try OAuthProviderCatalogue.load(path: configuration.oauth.providersFile),
            oauthSettings: {
                var settings = OAuthBroker.Settings()
                settings.refreshMargin = configuration.oauth.refreshMargin
                settings.urlPolicy = ProviderURLPolicy(
                    allowInsecureLoopback: configuration.oauth.allowInsecureLoopback,
                    allowPrivateNetworks: configuration.oauth.allowPrivateNetworks
                )
                return settings
            }()
        )
        let engine = Gateway.buildEngine(configuration: configuration, dependencies: dependencies, logger: logger)
        let application = try Gateway.buildApplication(
            configuration: configuration, dependencies: dependencies, engine: engine, logger: logger
        )
        let workers = JobWorkers(
            engine: engine, schema: schema, concurrency: configuration.workflows.workers,
            drainTimeout: configuration.workflows.drainTimeout, logger: logger
        )
        let lease = configuration.workflows.leaseTimeout
        services.append(.init(service: client))
        services.append(.init(service: migrations, successTerminationBehavior: .ignore))
        services.append(
            .init(
                service: NotificationListener(
                    client: client, subscriptions: dependencies.subscriptions(engine: engine, workers: workers),
                    logger: logger
                )))
        services.append(
            .init(
                service: InstanceHeartbeat(
                    instances: instances, instanceID: instanceID, schema: schema, logger: logger,
                    runningIDs: { engine.runningIDs }, interval: lease / 6, staleAfter: lease
                )))
        // The workers (with `workflows.workers` 0) and the ticker (with no schedules) may end at once: that is fine.
        services.append(
            .init(
                service: ScheduleTicker(
                    scheduler: WorkflowScheduler(
                        catalogue: catalogue, schedules: PostgresSchedules(client: client, logger: logger),
                        instanceID: instanceID, logger: logger
                    ),
                    schema: schema
                ), successTerminationBehavior: .ignore))
        services.append(
            .init(
                service: RetentionSweeper(
                    executions: engine.executions, files: engine.files,
                    deliveries: dependencies.endpointSecrets.store,
                    idempotencyKeys: PostgresIdempotencyKeys(client: client, logger: logger),
                    retention: configuration.workflows.retention, schema: schema, logger: logger
                )))
        services.append(
            .init(
                service: OAuthRefresher(
                    broker: dependencies.oauth, schema: schema, logger: logger
                )))
        services.append(.init(service: workers, successTerminationBehavior: .ignore))
        services.append(.init(service: application, successTerminationBehavior: .gracefullyShutdownGroup))

        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )
        // Services stop in reverse order: the HTTP server drains its requests, then the workers theirs.
        groupConfiguration.maximumGracefulShutdownDuration =
            configuration.http.shutdownTimeout + configuration.workflows.drainTimeout + .seconds(1)
        groupConfiguration.maximumCancellationDuration = .seconds(2)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
