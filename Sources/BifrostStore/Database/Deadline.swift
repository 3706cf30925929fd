/// Thrown by `withDeadline` when the work took too long.
package struct DeadlineExceeded: Error, CustomStringConvertible {
    package var description: String { "the operation did not finish in time" }
}

/// Runs `work`, cancelling it and throwing `DeadlineExceeded` if it takes longer than `limit`.
package func withDeadline<Result: Sendable>(
    _ limit: Duration, _ work: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else { throw DeadlineExceeded() }
        return result
    }
}
