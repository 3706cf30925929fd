import Synchronization

/// Runs one task per key at a time: callers arriving while it runs wait for its result instead of starting
/// their own. The entry is removed once the task has finished, so a later caller starts afresh.
final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let running = Mutex<[Key: Task<Value, any Error>]>([:])

    func run(_ key: Key, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await runNotingShare(key, work).value
    }

    /// `run`, saying whether this caller joined a task another caller had started (`joined`).
    func runNotingShare(_ key: Key, _ work: @escaping @Sendable () async throws -> Value) async throws
        -> (value: Value, joined: Bool)
    {
        let (task, joined) = running.withLock { running in
            if let task = running[key] { return (task, true) }
            // Shared by every caller of `key`, so no one caller's cancellation ends it; it ends with `work`.
            let task = Task { try await work() }
            running[key] = task
            return (task, false)
        }
        defer { running.withLock { running in if running[key] == task { running[key] = nil } } }
        return (try await task.value, joined)
    }
}
