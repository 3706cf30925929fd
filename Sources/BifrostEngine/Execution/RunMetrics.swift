import BifrostStore
import BifrostTelemetry
public import Metrics

/// Records runs' starts, ends and durations, labelled only by the catalogue's workflow name, how the run started
/// and its final status (bounded sets). Each metric is made once per set of labels (`MetricHandles`).
public struct RunMetrics: Sendable {
    private struct Ending: Hashable, Sendable {
        let workflow: String
        let status: ExecutionStatus
    }

    private struct Start: Hashable, Sendable {
        let workflow: String
        let mode: RunMode
    }

    private let starts: MetricHandles<Start, Counter>
    private let endings: MetricHandles<Ending, Counter>
    private let durations: MetricHandles<String, Metrics.Timer>

    /// Records through `factory`; the default records nothing.
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        starts = MetricHandles { start in
            Counter(
                label: MetricName.runsStarted,
                dimensions: [("workflow", start.workflow), ("mode", start.mode.rawValue)],
                factory: factory)
        }
        endings = MetricHandles { ending in
            Counter(
                label: MetricName.runsFinished,
                dimensions: [("workflow", ending.workflow), ("status", Self.label(ending.status))], factory: factory)
        }
        durations = MetricHandles { workflow in
            Metrics.Timer(label: MetricName.runDuration, dimensions: [("workflow", workflow)], factory: factory)
        }
    }

    /// A run of `workflow` (a catalogue name) started.
    func started(_ workflow: String, mode: RunMode) {
        starts(Start(workflow: workflow, mode: mode)).increment()
    }

    /// A run of `workflow` ended with `status` after `duration`.
    func finished(_ workflow: String, status: ExecutionStatus, duration: Duration) {
        endings(Ending(workflow: workflow, status: status)).increment()
        durations(workflow).record(duration: duration)
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
