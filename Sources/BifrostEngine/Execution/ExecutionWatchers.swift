public import Foundation
import Synchronization

/// Who in this process is watching which run: each watcher is woken when its run changes, on any replica (the
/// gateway forwards `ExecutionChannels.events` notifications here), and then reads the run's rows itself.
public final class ExecutionWatchers: Sendable {
    private let watchers = Mutex<[UUID: [Int: AsyncStream<Void>.Continuation]]>([:])
    private let nextToken = Atomic<Int>(0)

    public init() {}

    /// Wake-ups for run `id`, until the stream is dropped. Wake-ups coalesce: a slow reader gets one, not many.
    public func watch(_ id: UUID) -> AsyncStream<Void> {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        watchers.withLock { $0[id, default: [:]][token] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.watchers.withLock { watchers in
                watchers[id]?[token] = nil
                if watchers[id]?.isEmpty == true { watchers[id] = nil }
            }
        }
        return stream
    }

    /// Wakes the watchers of run `id`.
    public func wake(_ id: UUID) {
        for continuation in watchers.withLock({ Array(($0[id] ?? [:]).values) }) { continuation.yield() }
    }

    /// Wakes every watcher (after notifications may have been missed).
    public func wakeAll() {
        for continuation in watchers.withLock({ $0.values.flatMap(\.values) }) { continuation.yield() }
    }

    /// How many watchers there are, for tests and metrics.
    public var count: Int { watchers.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}
