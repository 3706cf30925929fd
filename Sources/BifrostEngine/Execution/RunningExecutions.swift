import Foundation
import Synchronization

/// The runs in progress in this process: cancelled by id, stopped when their timeout passes, and announced
/// once they have lasted long enough to be worth a `Running` row.
///
/// One watcher task serves every run, waking every `tick` while any run is in progress and ending when none is:
/// a quick run sets no timer of its own. Timeouts are therefore kept to within one tick.
final class RunningExecutions: Sendable {
    private struct Run {
        var control: RunControl
        var deadline: ContinuousClock.Instant
        /// When `onLongRun` is due; nil once it has been called, or when there is none.
        var longRunAt: ContinuousClock.Instant?
        var onLongRun: (@Sendable () -> Void)?
    }

    private struct State {
        var runs: [UUID: Run] = [:]
        var watching = false
    }

    private let tick: Duration
    private let state = Mutex(State())

    init(tick: Duration = .milliseconds(50)) {
        self.tick = tick
    }

    /// Registers run `id`, to be stopped as timed out after `timeout`, and announced with `onLongRun` (if any)
    /// if it is still going after `longRunAfter`.
    func register(
        _ id: UUID, timeout: Duration, longRunAfter: Duration, onLongRun: (@Sendable () -> Void)?
    ) -> RunControl {
        let control = RunControl()
        let now = ContinuousClock.now
        let run = Run(
            control: control, deadline: now + timeout, longRunAt: onLongRun.map { _ in now + longRunAfter },
            onLongRun: onLongRun
        )
        let startsWatcher = state.withLock { state -> Bool in
            state.runs[id] = run
            guard !state.watching else { return false }
            state.watching = true
            return true
        }
        if startsWatcher { Task { await self.watch() } }
        return control
    }

    func remove(_ id: UUID) { _ = state.withLock { $0.runs.removeValue(forKey: id) } }

    /// The runs in progress, or ended but not yet recorded.
    var ids: Set<UUID> { state.withLock { Set($0.runs.keys) } }

    /// Stops run `id` for `reason`; false when it is not running here.
    func stop(_ id: UUID, _ reason: RunControl.Reason) -> Bool {
        guard let control = state.withLock({ $0.runs[id]?.control }) else { return false }
        control.stop(reason)
        return true
    }

    private func watch() async {
        while true {
            try? await Task.sleep(for: tick)
            guard let due = dueActions(at: .now) else { return }
            for action in due { action() }
        }
    }

    /// What is due at `now`; nil (and the watcher retires) when no run is in progress.
    private func dueActions(at now: ContinuousClock.Instant) -> [@Sendable () -> Void]? {
        state.withLock { state in
            guard !state.runs.isEmpty else {
                state.watching = false
                return nil
            }
            var due: [@Sendable () -> Void] = []
            for (id, run) in state.runs {
                if let at = run.longRunAt, at <= now, let onLongRun = run.onLongRun {
                    due.append(onLongRun)
                    state.runs[id]?.longRunAt = nil
                }
                if run.deadline <= now {
                    due.append { run.control.stop(.timedOut) }
                }
            }
            return due
        }
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
