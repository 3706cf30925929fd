import Synchronization

/// Deadlines watched by one task instead of a timer each: those of database statements (`withDeadline` and
/// `GroupCommit`, one watch for the whole process) and the timeouts of runs (`RunningExecutions`).
///
/// The watcher wakes every `tick` while any deadline is registered and retires when none is, so a deadline is
/// kept to within one tick. A timer per statement cost each database statement a task and a dispatch timer, set
/// and cancelled (with the dispatch manager's thread woken for each, ~3 % of the gateway's CPU in the queue
/// benchmark), and a cancelled `Task.sleep` keeps its memory until its time would have come
/// (swiftlang/swift#60441): ~230 bytes held for ten seconds per statement.
package final class DeadlineWatch: Sendable {
    /// The one every `withDeadline` and `GroupCommit` uses unless given another.
    package static let shared = DeadlineWatch()

    private struct Entry {
        var deadline: ContinuousClock.Instant
        var expire: @Sendable () -> Void
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var nextTicket = 0
        var watching = false
    }

    private let tick: Duration
    private let state = Mutex(State())

    package init(tick: Duration = .milliseconds(100)) {
        self.tick = tick
    }

    /// Calls `expire` once `limit` has passed, unless `remove` is called with the returned ticket first.
    package func add(after limit: Duration, expire: @escaping @Sendable () -> Void) -> Int {
        let entry = Entry(deadline: .now + limit, expire: expire)
        let (ticket, startsWatcher) = state.withLock { state -> (Int, Bool) in
            let ticket = state.nextTicket
            state.nextTicket &+= 1
            state.entries[ticket] = entry
            defer { state.watching = true }
            return (ticket, !state.watching)
        }
        // The watcher serves every caller; it retires by itself once no deadline is registered.
        if startsWatcher { Task { await self.watch() } }
        return ticket
    }

    package func remove(_ ticket: Int) { _ = state.withLock { $0.entries.removeValue(forKey: ticket) } }

    /// Deadlines registered and not yet passed or removed.
    package var count: Int { state.withLock { $0.entries.count } }

    private func watch() async {
        while true {
            try? await Task.sleep(for: tick)
            guard let expired = takeExpired(at: .now) else { return }
            for expire in expired { expire() }
        }
    }

    /// Removes and returns the deadlines passed at `now`; nil (and the watcher retires) when none is registered.
    private func takeExpired(at now: ContinuousClock.Instant) -> [@Sendable () -> Void]? {
        state.withLock { state in
            guard !state.entries.isEmpty else {
                state.watching = false
                return nil
            }
            let passed = state.entries.filter { $0.value.deadline <= now }
            for ticket in passed.keys { state.entries.removeValue(forKey: ticket) }
            return passed.values.map(\.expire)
        }
    }
}
