import BifrostEngine
import BifrostOAuth
public import BifrostRuntime
public import BifrostStore
import Foundation
public import Logging
import ServiceLifecycle

extension Gateway {
    /// Builds the whole application from its configuration and dependencies: the engine, the routers and every
    /// service `bifrost serve` runs. `bifrost serve` and the test harnesses call this one function; tests change
    /// what they must through its parameters.
    ///
    /// - Parameters:
    ///   - migrations: the schema to bring the database to; the bundled migrations when nil.
    ///   - timing: how often the background services wake (tests slow some down or stop the schedule clock).
    /// - Throws: when the migrations cannot be loaded or the generated routes cannot be registered.
    public static func assemble(
        configuration: GatewayConfiguration, dependencies: Dependencies, migrations: [Migration]? = nil,
        timing: Timing = Timing(), logger: Logger
    ) throws -> GatewayAssembly {
        let client = dependencies.database
        let schema = dependencies.schema
        let engine = buildEngine(configuration: configuration, dependencies: dependencies, logger: logger)
        let routers = try buildRouters(
            configuration: configuration, dependencies: dependencies, engine: engine, logger: logger)
        let instances = PostgresInstanceRepository(client: client, logger: logger)
        let users = PostgresUserRepository(client: client, logger: logger)
        let sessions = dependencies.sessionDatabase ?? client
        let perReplica = configuration.database.maxConnections + (dependencies.sessionDatabase == nil ? 0 : 2)
        let migration = MigrationService(
            client: sessions, migrations: try migrations ?? MigrationCatalog.bundled(), schema: schema, logger: logger,
            afterMigration: {
                [
                    keyRing = dependencies.keyRing, signingKeys = dependencies.signingKeys,
                    instanceID = dependencies.instanceID
                ] in
                try await keyRing.open()
                try await signingKeys.load()
                try await AdminBootstrap.run(configuration: configuration.auth, users: users, logger: logger)
                try await instances.heartbeat(instanceID)
                try await ConnectionBudget.read(from: client, perReplica: perReplica, logger: logger).log(to: logger)
            }
        )
        let workers = JobWorkers(
            engine: engine, schema: schema, concurrency: configuration.workflows.workers,
            pollInterval: timing.workerPoll, drainTimeout: configuration.workflows.drainTimeout,
            metrics: dependencies.metricsFactory, logger: logger
        )
        let lease = configuration.workflows.leaseTimeout
        let background: [ServiceGroupConfiguration.ServiceConfiguration] = [
            // First, so that it stops last: runs still draining keep their HTTP client.
            .init(service: dependencies.outboundHTTP),
            .init(service: migration, successTerminationBehavior: .ignore),
            .init(
                service: NotificationListener(
                    client: sessions, subscriptions: dependencies.subscriptions(engine: engine, workers: workers),
                    logger: logger
                )),
            .init(
                service: InstanceHeartbeat(
                    instances: instances, instanceID: dependencies.instanceID, schema: schema, logger: logger,
                    runningIDs: { engine.runningIDs }, interval: lease / 6, staleAfter: lease
                )),
            // The ticker (with no scheduled workflow) and the workers (with `workflows.workers` 0) may end at once.
            .init(
                service: ScheduleTicker(
                    scheduler: WorkflowScheduler(
                        catalogue: dependencies.catalogue,
                        schedules: PostgresScheduleRepository(client: client, logger: logger),
                        instanceID: dependencies.instanceID, metrics: dependencies.metricsFactory, logger: logger
                    ),
                    schema: schema, now: timing.scheduleClock
                ), successTerminationBehavior: .ignore),
            .init(
                service: RetentionSweeper(
                    executions: PostgresExecutionRepository(client: client, logger: logger),
                    files: PostgresFileRepository(client: client, logger: logger),
                    deliveries: dependencies.endpointSecrets.store,
                    idempotencyKeys: PostgresIdempotencyKeyRepository(client: client, logger: logger),
                    retention: configuration.workflows.retention, schema: schema, logger: logger
                )),
            .init(
                service: OAuthRefresher(
                    broker: dependencies.oauth, interval: timing.refreshAhead, schema: schema, logger: logger)),
            .init(
                service: QueueSampler(
                    queue: PostgresJobQueue(client: client, instance: dependencies.instanceID, logger: logger),
                    schema: schema, interval: timing.queueSample, poolSize: configuration.database.maxConnections,
                    metrics: dependencies.metricsFactory, logger: logger
                )),
            .init(service: workers, successTerminationBehavior: .ignore),
        ]
        return GatewayAssembly(
            dependencies: dependencies, engine: engine, http: routers.http, webSocket: routers.webSocket,
            background: background, metricsPort: configuration.metrics.port, logger: logger
        )
    }
}
