import BifrostStore
import Foundation
import Logging
import Synchronization

/// Writes the log lines of a recorded run while it goes on, every `interval`, so that watchers of the run
/// (`GET /api/executions/{id}/stream`) see them as they happen; the lines left at the end go with the outcome.
///
/// Started once a run has lasted `ExecutionEngine.Limits.runningRowDelay` (for a synchronous run, once its
/// `Running` row is written); `stop()` ends the writing and says how many lines are stored.
final class LiveLog: Sendable {
    private struct State {
        var writer: Task<Void, Never>?
        var written = 0
        var stopped = false
    }

    private let id: UUID
    private let collector: ExecutionLogCollector
    private let executions: any ExecutionRepository
    private let interval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    init(
        _ id: UUID, collector: ExecutionLogCollector, executions: any ExecutionRepository,
        interval: Duration = .milliseconds(200), logger: Logger
    ) {
        self.id = id
        self.collector = collector
        self.executions = executions
        self.interval = interval
        self.logger = logger
    }

    /// Starts writing, unless the run has already ended.
    func start() {
        state.withLock { state in
            guard !state.stopped, state.writer == nil else { return }
            // Ended by `stop()`, which waits for it, when the run ends.
            state.writer = Task { await self.write() }
        }
    }

    /// Stops writing, after a write under way has finished (it is not cancelled: a cancelled query may still
    /// commit on the server after the caller gave up on it, and land after a released run's log was deleted).
    /// - Returns: how many lines (from the first) are stored; the rest are to be written with the outcome.
    func stop() async -> Int {
        let writer = state.withLock { state in
            state.stopped = true
            return state.writer
        }
        writer?.cancel()
        await writer?.value
        return state.withLock { $0.written }
    }

    private func write() async {
        while (try? await Task.sleep(for: interval)) != nil {
            let written = state.withLock { $0.written }
            let lines = collector.lines(after: written)
            guard let last = lines.last else { continue }
            do {
                // In a task of its own, so that `stop()` cancelling the loop waits for the write instead.
                try await Task { [executions, id] in try await executions.appendLogs(of: id, Array(lines)) }.value
                state.withLock { $0.written = last.sequence }
            } catch {
                logger.debug("Could not write a run's log lines yet", metadata: ["error.message": "\(error)"])
            }
        }
    }
}
