import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import ExampleWorkflows
import Foundation
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// Another gateway replica on the same database: its own engine (its own process id), job workers and
/// notification listener in a service group, as `bifrost serve` runs them, but no HTTP server.
struct SecondReplica: Sendable {
    let engine: ExecutionEngine
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    /// Shuts the replica down as SIGTERM would, and waits until it has.
    func shutDownGracefully() async {
        await group.triggerGracefulShutdown()
        _ = await running.result
    }

    static func with(
        database: PostgresClient, configuration: GatewayConfiguration = GatewayConfiguration(),
        extraWorkflows: [any Workflow.Type] = [], keyRing: KeyRing? = nil,
        _ body: @Sendable (SecondReplica) async throws -> Void
    ) async throws {
        let schema = SchemaState()
        schema.markCurrent()
        let dependencies = try await Gateway.Dependencies(
            database: database, schema: schema, metrics: PrometheusCollectorRegistry(),
            tokens: try await AccessTokens(
                privateKeyPEM: AccessTokens.generatePrivateKeyPEM(), lifetime: .seconds(900)),
            policy: try AccessPolicy.load(directory: nil), rateLimits: .unlimited,
            catalogue: try WorkflowCatalogue(
                workflows: ExampleWorkflows.workflows + extraWorkflows, dataProviders: ExampleWorkflows.dataProviders
            ),
            keyRing: keyRing
        )
        let engine = Gateway.buildEngine(
            configuration: configuration, dependencies: dependencies, logger: TestPostgres.logger)
        let jobWorkers = JobWorkers(
            engine: engine, schema: schema, concurrency: configuration.workflows.workers,
            pollInterval: .milliseconds(200),
            drainTimeout: configuration.workflows.drainTimeout, logger: TestPostgres.logger
        )
        let listener = NotificationListener(
            client: database, subscriptions: dependencies.subscriptions(engine: engine, workers: jobWorkers),
            logger: TestPostgres.logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: listener), .init(service: jobWorkers, successTerminationBehavior: .ignore)],
                logger: TestPostgres.logger
            )
        )
        let replica = SecondReplica(engine: engine, group: group, running: Task { try await group.run() })
        defer { replica.running.cancel() }
        try await body(replica)
        await replica.shutDownGracefully()
    }
}
