import BifrostStore
import BifrostTelemetry
public import Metrics

/// Records runs' starts, ends and durations, labelled only by the catalogue's workflow name, how the run started
/// and its final status (bounded sets).
public struct RunMetrics: Sendable {
    let factory: any MetricsFactory

    /// Records through `factory`; the default records nothing.
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
    }

    /// A run of `workflow` (a catalogue name) started.
    func started(_ workflow: String, mode: RunMode) {
        Counter(
            label: MetricName.runsStarted, dimensions: [("workflow", workflow), ("mode", mode.rawValue)],
            factory: factory
        ).increment()
    }

    /// A run of `workflow` ended with `status` after `duration`.
    func finished(_ workflow: String, status: ExecutionStatus, duration: Duration) {
        Counter(
            label: MetricName.runsFinished, dimensions: [("workflow", workflow), ("status", Self.label(status))],
            factory: factory
        ).increment()
        Metrics.Timer(label: MetricName.runDuration, dimensions: [("workflow", workflow)], factory: factory)
            .record(duration: duration)
    }

    /// The `status` label: the status in snake case.
    static func label(_ status: ExecutionStatus) -> String {
        switch status {
        case .pending: "pending"
        case .running: "running"
        case .success: "success"
        case .completedWithErrors: "completed_with_errors"
        case .failed: "failed"
        case .timeout: "timeout"
        case .cancelled: "cancelled"
        }
    }
}
