import BifrostStore
import Foundation
import Synchronization

/// The runs in progress in this process: cancelled by id, stopped when their timeout passes, and announced
/// once they have lasted long enough to be worth a `Running` row.
///
/// Both times are deadlines of one `DeadlineWatch`, whose single task wakes every `tick` while any run is in
/// progress: a quick run sets no timer of its own, and timeouts are kept to within one tick.
final class RunningExecutions: Sendable {
    private struct Run {
        var control: RunControl
        /// The run's deadlines in `deadlines`: its timeout, and its announcement if it has one.
        var tickets: [Int]
    }

    private let runs = Mutex<[UUID: Run]>([:])
    private let deadlines: DeadlineWatch

    init(tick: Duration = .milliseconds(50)) {
        deadlines = DeadlineWatch(tick: tick)
    }

    /// Registers run `id`, to be stopped as timed out after `timeout`, and announced with `onLongRun` (if any)
    /// if it is still going after `longRunAfter`.
    func register(
        _ id: UUID, timeout: Duration, longRunAfter: Duration, onLongRun: (@Sendable () -> Void)?
    ) -> RunControl {
        let control = RunControl()
        var tickets = [deadlines.add(after: timeout) { control.stop(.timedOut) }]
        if let onLongRun { tickets.append(deadlines.add(after: longRunAfter, expire: onLongRun)) }
        runs.withLock { $0[id] = Run(control: control, tickets: tickets) }
        return control
    }

    func remove(_ id: UUID) {
        guard let run = runs.withLock({ $0.removeValue(forKey: id) }) else { return }
        for ticket in run.tickets { deadlines.remove(ticket) }
    }

    /// The runs in progress, or ended but not yet recorded.
    var ids: Set<UUID> { runs.withLock { Set($0.keys) } }

    /// Stops run `id` for `reason`; false when it is not running here.
    func stop(_ id: UUID, _ reason: RunControl.Reason) -> Bool {
        guard let control = runs.withLock({ $0[id]?.control }) else { return false }
        control.stop(reason)
        return true
    }
}

/// Lets someone other than the run's own task stop it: `POST /api/executions/{id}/cancel`, the timeout, or a
/// shutdown handing the run back to the queue.
public final class RunControl: Sendable {
    /// Why a run was stopped from outside.
    public enum Reason: Sendable {
        case cancelled
        case timedOut
        /// The process is shutting down; the queued run goes back to the queue for another replica.
        case released
    }

    private let state = Mutex<(reason: Reason?, handler: (@Sendable (Reason) -> Void)?)>((nil, nil))

    public init() {}

    /// Stops the run (at once if it has started, else as soon as it does); the first reason wins.
    public func stop(_ reason: Reason) {
        let handler = state.withLock { state -> (@Sendable (Reason) -> Void)? in
            guard state.reason == nil else { return nil }
            state.reason = reason
            return state.handler
        }
        handler?(reason)
    }

    /// Why the run was stopped, if it was.
    var reason: Reason? { state.withLock { $0.reason } }

    func onStop(_ handler: @escaping @Sendable (Reason) -> Void) {
        let stopped = state.withLock { state -> Reason? in
            state.handler = handler
            return state.reason
        }
        if let stopped { handler(stopped) }
    }
}
