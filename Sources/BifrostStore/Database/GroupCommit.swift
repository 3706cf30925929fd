import Synchronization

/// Writes items in batches without delaying any of them: the first item to arrive is written at once, and
/// whatever arrives while that write is in flight is written together in the next one (group commit).
///
/// Under light load every write holds one item; under heavy load one statement and one commit carry many, so the
/// database's cost per item falls as load rises. A caller's `submit` returns only when its item is durable (or
/// throws the write's error). When a batch of several fails, each of its items is written alone, so one bad item
/// fails only its own caller.
final class GroupCommit<Item: Sendable>: Sendable {
    private struct Waiting {
        var item: Item
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var writers = 0
    }

    private let write: @Sendable ([Item]) async throws -> Void
    private let maximumBatch: Int
    private let maximumWriters: Int
    private let state = Mutex(State())

    /// - Parameters:
    ///   - maximumBatch: most items in one write.
    ///   - maximumWriters: most writes in flight at once (each on its own connection).
    ///   - write: writes a batch, all or nothing.
    init(maximumBatch: Int = 256, maximumWriters: Int = 2, write: @escaping @Sendable ([Item]) async throws -> Void) {
        self.write = write
        self.maximumBatch = maximumBatch
        self.maximumWriters = maximumWriters
    }

    /// Writes `item` with whatever else is waiting, and returns once it is written.
    func submit(_ item: Item) async throws {
        try await withCheckedThrowingContinuation { continuation in
            let startsWriter = state.withLock { state -> Bool in
                state.waiting.append(Waiting(item: item, continuation: continuation))
                guard state.writers < maximumWriters else { return false }
                state.writers += 1
                return true
            }
            if startsWriter { Task { await self.drain() } }
        }
    }

    /// Writes batches until nothing is waiting.
    private func drain() async {
        while let batch = nextBatch() {
            do {
                try await write(batch.map(\.item))
                for waiting in batch { waiting.continuation.resume() }
            } catch where batch.count > 1 {
                for waiting in batch { await writeAlone(waiting) }
            } catch {
                batch.first?.continuation.resume(throwing: error)
            }
        }
    }

    private func writeAlone(_ waiting: Waiting) async {
        do {
            try await write([waiting.item])
            waiting.continuation.resume()
        } catch {
            waiting.continuation.resume(throwing: error)
        }
    }

    /// Takes the next batch, or retires this writer when nothing is waiting.
    private func nextBatch() -> [Waiting]? {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.writers -= 1
                return nil
            }
            let batch = Array(state.waiting.prefix(maximumBatch))
            state.waiting.removeFirst(batch.count)
            return batch
        }
    }
}
