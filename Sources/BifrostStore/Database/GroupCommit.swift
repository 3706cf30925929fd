import Synchronization

/// Writes items in batches without delaying any of them: the first item to arrive is written at once, and
/// whatever arrives while that write is in flight is written together in the next one (group commit).
///
/// Under light load every write holds one item; under heavy load one statement and one commit carry many, so the
/// database's cost per item falls as load rises. A caller's `submit` returns only when its item is durable (or
/// throws the write's error), with what the write said of that item (`Outcome`, in the batch's order; `Void` for
/// plain writes). When a batch of several fails, each of its items is written alone, so one bad item fails only
/// its own caller.
final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    private struct Waiting {
        var item: Item
        var continuation: CheckedContinuation<Outcome, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var writers = 0
    }

    private let write: @Sendable ([Item]) async throws -> [Outcome]
    private let maximumBatch: Int
    private let maximumWriters: Int
    private let state = Mutex(State())

    /// - Parameters:
    ///   - maximumBatch: most items in one write.
    ///   - maximumWriters: most writes in flight at once (each on its own connection). One by default: measured
    ///     with the queue and endpoint benchmarks, one writer lets batches grow under load, and the database's
    ///     fewer, larger commits beat two writers' smaller ones.
    ///   - write: writes a batch, all or nothing, and says what became of each item, in order.
    init(
        maximumBatch: Int = 256, maximumWriters: Int = 1, write: @escaping @Sendable ([Item]) async throws -> [Outcome]
    ) {
        self.write = write
        self.maximumBatch = maximumBatch
        self.maximumWriters = maximumWriters
    }

    /// Writes `item` with whatever else is waiting, and returns once it is written.
    @discardableResult
    func submit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let startsWriter = state.withLock { state -> Bool in
                state.waiting.append(Waiting(item: item, continuation: continuation))
                guard state.writers < maximumWriters else { return false }
                state.writers += 1
                return true
            }
            // The writer serves every waiting caller; it ends by itself once nothing waits.
            if startsWriter { Task { await self.drain() } }
        }
    }

    /// Writes batches until nothing is waiting.
    private func drain() async {
        while let batch = nextBatch() {
            do {
                let outcomes = try await write(batch.map(\.item))
                guard outcomes.count == batch.count else { throw GroupCommitMismatch() }
                for (waiting, outcome) in zip(batch, outcomes) { waiting.continuation.resume(returning: outcome) }
            } catch  where batch.count > 1 {
                for waiting in batch { await writeAlone(waiting) }
            } catch {
                batch.first?.continuation.resume(throwing: error)
            }
        }
    }

    private func writeAlone(_ waiting: Waiting) async {
        do {
            guard let outcome = try await write([waiting.item]).first else { throw GroupCommitMismatch() }
            waiting.continuation.resume(returning: outcome)
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

extension GroupCommit where Outcome == Void {
    /// Group commit of plain writes.
    convenience init(
        maximumBatch: Int = 256, maximumWriters: Int = 1,
        writing write: @escaping @Sendable ([Item]) async throws -> Void
    ) {
        self.init(maximumBatch: maximumBatch, maximumWriters: maximumWriters) { items in
            try await write(items)
            return Array(repeating: (), count: items.count)
        }
    }
}

/// A batch write that did not say what became of each item.
struct GroupCommitMismatch: Error {}
