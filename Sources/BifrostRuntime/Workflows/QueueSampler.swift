package import BifrostStore
import BifrostTelemetry
package import Logging
package import Metrics
import ServiceLifecycle

/// Samples the queue every `interval`, once the schema is current, until graceful shutdown: how many runs wait
/// (`bifrost_queue_depth`) and how long the oldest due one has waited (`bifrost_queue_oldest_pending_age_seconds`).
/// Both are deployment-wide, so every replica reports the same values; a dashboard takes their `max`.
///
/// It also samples this process's database load (`StatementsInFlight`): statements under way now and at most since
/// the last sample, beside the pool's size; a peak above the size means requests waited for a connection.
package struct QueueSampler: Service {
    package let queue: PostgresJobQueue
    package let schema: SchemaState
    package let interval: Duration
    package let logger: Logger
    private let depth: Gauge
    private let oldestAge: Gauge
    private let statements: Gauge
    private let statementsPeak: Gauge

    /// - Parameter poolSize: the pool's most connections, recorded once.
    package init(
        queue: PostgresJobQueue, schema: SchemaState, interval: Duration = .seconds(10), poolSize: Int? = nil,
        metrics: any MetricsFactory, logger: Logger
    ) {
        self.queue = queue
        self.schema = schema
        self.interval = interval
        self.logger = logger
        self.depth = Gauge(label: MetricName.queueDepth, factory: metrics)
        self.oldestAge = Gauge(label: MetricName.queueOldestPendingAge, factory: metrics)
        self.statements = Gauge(label: MetricName.databaseStatementsInFlight, factory: metrics)
        self.statementsPeak = Gauge(label: MetricName.databaseStatementsInFlightPeak, factory: metrics)
        if let poolSize { Gauge(label: MetricName.databasePoolSize, factory: metrics).record(poolSize) }
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            guard (try? await schema.waitUntilCurrent()) != nil else { return }
            while !Task.isCancelled {
                await sample()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Reads the queue once and records it; a failed read leaves the gauges as they were (and is logged).
    package func sample() async {
        let load = StatementsInFlight.sample()
        statements.record(load.current)
        statementsPeak.record(load.peak)
        do {
            let current = try await queue.depth()
            depth.record(current.pending)
            oldestAge.record(current.oldestPendingAge)
        } catch {
            logger.warning("Could not sample the queue", metadata: ["error.message": "\(error)"])
        }
    }
}
