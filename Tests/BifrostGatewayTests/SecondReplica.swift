import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostStore
import BifrostTestSupport
import ExampleWorkflows
import Foundation
import PostgresNIO
import Prometheus

/// Another gateway replica on the same database: its own engine (its own process id), job workers and
/// notification listener, as `bifrost serve` runs them, but no HTTP server.
enum SecondReplica {
    static func with(
        database: PostgresClient, extraWorkflows: [any Workflow.Type] = [], workers: Int = 4,
        drainTimeout: Duration = .seconds(5), _ body: @Sendable (ExecutionEngine) async throws -> Void
    ) async throws {
        let schema = SchemaState()
        schema.markCurrent()
        let engine = Gateway.buildEngine(
            configuration: GatewayConfiguration(),
            dependencies: .init(
                database: database, schema: schema, metrics: PrometheusCollectorRegistry(),
                tokens: try await AccessTokens(privateKeyPEM: AccessTokens.generatePrivateKeyPEM(), lifetime: .seconds(900)),
                policy: try AccessPolicy.load(directory: nil), rateLimits: .unlimited,
                catalogue: try WorkflowCatalogue(
                    workflows: ExampleWorkflows.workflows + extraWorkflows, dataProviders: ExampleWorkflows.dataProviders
                )
            ),
            logger: TestPostgres.logger
        )
        let jobWorkers = JobWorkers(
            engine: engine, schema: schema, concurrency: workers, pollInterval: .milliseconds(200),
            drainTimeout: drainTimeout, logger: TestPostgres.logger
        )
        let listener = NotificationListener(
            client: database,
            subscriptions: [jobWorkers.subscription, engine.eventSubscription, engine.cancellationSubscription],
            logger: TestPostgres.logger
        )
        let running = Task {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await jobWorkers.run() }
                group.addTask { try await listener.run() }
            }
        }
        defer { running.cancel() }
        try await body(engine)
    }
}
