import Synchronization

/// Thrown by `withDeadline` when the work took too long.
package struct DeadlineExceeded: Error, CustomStringConvertible {
    package var description: String { "the operation did not finish in time" }
}

/// Runs `work`, and throws `DeadlineExceeded` if it takes longer than `limit`: the work is then cancelled and
/// left to end on its own, not waited for, so that a query stuck on a connection that died without a word (it
/// happens while PostgreSQL restarts) cannot hold its caller forever. The deadline is kept to within a tenth of a
/// second (`DeadlineWatch`).
package func withDeadline<Result: Sendable>(
    _ limit: Duration, _ work: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let outcome = FirstOutcome<Result>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            outcome.attach(continuation)
            // Unstructured so that the caller can be answered at the deadline while `work` (which may ignore
            // cancellation) finishes on its own; it is cancelled at the deadline or when the caller is.
            let worker = Task {
                do {
                    outcome.settle(.success(try await work()))
                } catch {
                    outcome.settle(.failure(error))
                }
            }
            let ticket = DeadlineWatch.shared.add(after: limit) {
                if outcome.settle(.failure(DeadlineExceeded())) { worker.cancel() }
            }
            outcome.onSettled { DeadlineWatch.shared.remove(ticket) }
        }
    } onCancel: {
        outcome.settle(.failure(CancellationError()))
    }
}

/// The first of several results, handed to one waiting continuation.
private final class FirstOutcome<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var result: Result<Value, any Error>?
        var settled: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func attach(_ continuation: CheckedContinuation<Value, any Error>) {
        let early = state.withLock { state -> Result<Value, any Error>? in
            guard let result = state.result else {
                state.continuation = continuation
                return nil
            }
            return result
        }
        if let early { continuation.resume(with: early) }
    }

    /// Calls `action` once settled (at once if already).
    func onSettled(_ action: @escaping @Sendable () -> Void) {
        let already = state.withLock { state -> Bool in
            guard state.result == nil else { return true }
            state.settled = action
            return false
        }
        if already { action() }
    }

    /// Settles with `result` unless settled already. - Returns: whether this call settled it.
    @discardableResult
    func settle(_ result: Result<Value, any Error>) -> Bool {
        let taken = state.withLock { state -> Taken? in
            guard state.result == nil else { return nil }
            state.result = result
            defer {
                state.continuation = nil
                state.settled = nil
            }
            return Taken(continuation: state.continuation, settled: state.settled)
        }
        guard let taken else { return false }
        taken.continuation?.resume(with: result)
        taken.settled?()
        return true
    }

    private struct Taken {
        var continuation: CheckedContinuation<Value, any Error>?
        var settled: (@Sendable () -> Void)?
    }
}
