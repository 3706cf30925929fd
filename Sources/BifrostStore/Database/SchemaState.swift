import Synchronization

/// Whether this process has brought the schema up to date. The readiness check reads it; every service that
/// needs the schema waits on it (`waitUntilCurrent`) instead of polling.
public final class SchemaState: Sendable {
    private struct State {
        var isCurrent = false
        var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// True once every shipped migration is applied.
    public var isCurrent: Bool { state.withLock { $0.isCurrent } }

    /// Records that every shipped migration is applied, and wakes everything waiting for it.
    public func markCurrent() {
        let waiters = state.withLock { state in
            state.isCurrent = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the schema is current (at once if it is). - Throws: `CancellationError` if the waiting task
    /// is cancelled first.
    public func waitUntilCurrent() async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Result<Void, any Error>? in
                    if state.isCurrent { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
