import Bifrost
import Foundation
import Synchronization

/// Logs `lines` lines 100 ms apart, like `PacedLogger`, but only once its test opens its gate: a test can then
/// watch a run from before it starts, whatever the machine's load, instead of racing the worker that claims it.
struct GatedLogger: Workflow {
    static let configuration = WorkflowConfiguration(
        "gated_logger", description: "Logs as it goes, once let go", mode: .async, timeout: .seconds(120)
    )
    @Param(.int) var lines: Int

    /// The gates of every run of this process, by execution id.
    static let gates = Gates()

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        await Self.gates.wait(for: context.executionID)
        for line in 1...max(1, lines) {
            try await Task.sleep(for: .milliseconds(100))
            context.logger.info("step \(line)")
        }
        return ["lines": .int(lines)]
    }

    /// Runs waiting for their test to let them go.
    final class Gates: Sendable {
        private let state = Mutex<(opened: Set<UUID>, waiting: [UUID: [CheckedContinuation<Void, Never>]])>(([], [:]))

        /// Returns once `run`'s gate is open.
        func wait(for run: UUID) async {
            await withCheckedContinuation { continuation in
                let isOpen = state.withLock { state in
                    if state.opened.contains(run) { return true }
                    state.waiting[run, default: []].append(continuation)
                    return false
                }
                if isOpen { continuation.resume() }
            }
        }

        /// Lets `run` go, now or as soon as it starts.
        func open(_ run: UUID) {
            let waiting = state.withLock { state in
                state.opened.insert(run)
                return state.waiting.removeValue(forKey: run) ?? []
            }
            for continuation in waiting { continuation.resume() }
        }
    }
}
