import Synchronization

/// Writes items in batches without delaying any of them: the first item to arrive is written at once, and
/// whatever arrives while that write is in flight is written together in the next one (group commit).
///
/// Under light load every write holds one item; under heavy load one statement and one commit carry many, so the
/// database's cost per item falls as load rises. A caller's `submit` returns only when its item is durable (or
/// throws the write's error), with what the write said of that item (`Outcome`, in the batch's order; `Void` for
/// plain writes). When a batch of several fails, each of its items is written alone, so one bad item fails only
/// its own caller.
///
/// A write that outlasts `deadline` (a statement on a connection that died without a word, as happens while
/// PostgreSQL restarts) fails its callers with `DeadlineExceeded` at the deadline, is cancelled and left to end
/// on its own; its writer is retired and a new one serves whoever waits. The writer's own task is what the
/// callers wait for, so the deadline costs no task of its own (as `withDeadline` would).
final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    private typealias Caller = CheckedContinuation<Outcome, any Error>

    private struct State {
        /// Items waiting for a writer, and their callers at the same positions.
        var items: [Item] = []
        var callers: [Caller] = []
        /// Items of a failed batch, each to be written by itself before anything else.
        var alone: [(item: Item, caller: Caller)] = []
        var writers = 0

        var isEmpty: Bool { items.isEmpty && alone.isEmpty }
    }

    private let write: @Sendable ([Item]) async throws -> [Outcome]
    private let maximumBatch: Int
    private let maximumWriters: Int
    private let deadline: Duration
    private let watch: DeadlineWatch
    private let state = Mutex(State())

    /// - Parameters:
    ///   - maximumBatch: most items in one write.
    ///   - maximumWriters: most writes in flight at once (each on its own connection). One by default: measured
    ///     with the queue and endpoint benchmarks, one writer lets batches grow under load, and the database's
    ///     fewer, larger commits beat two writers' smaller ones.
    ///   - deadline: longest one write may take before its callers are failed.
    ///   - watch: what keeps the deadlines.
    ///   - write: writes a batch, all or nothing, and says what became of each item, in order.
    init(
        maximumBatch: Int = 256, maximumWriters: Int = 1, deadline: Duration = .seconds(10),
        watch: DeadlineWatch = .shared, write: @escaping @Sendable ([Item]) async throws -> [Outcome]
    ) {
        self.write = write
        self.maximumBatch = maximumBatch
        self.maximumWriters = maximumWriters
        self.deadline = deadline
        self.watch = watch
    }

    /// Writes `item` with whatever else is waiting, and returns once it is written.
    @discardableResult
    func submit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { caller in
            let startsWriter = state.withLock { state -> Bool in
                state.items.append(item)
                state.callers.append(caller)
                guard state.writers < maximumWriters else { return false }
                state.writers += 1
                return true
            }
            // The writer serves every waiting caller; it ends by itself once nothing waits.
            if startsWriter { startWriter() }
        }
    }

    /// Items waiting for a writer (not those being written).
    var waiting: Int { state.withLock { $0.items.count + $0.alone.count } }

    private func startWriter() {
        let writer = Writer()
        writer.started(Task { await self.drain(writer) })
    }

    /// Writes batches until nothing is waiting, or until a write outlasts the deadline (the writer is then retired
    /// by `expire`, and another takes over).
    private func drain(_ writer: Writer) async {
        while let (items, callers) = nextBatch() {
            let batch = Batch(callers)
            let ticket = watch.add(after: deadline) { [self] in expire(batch, writer) }
            let result: Result<[Outcome], any Error>
            do {
                result = .success(try await write(items))
            } catch {
                result = .failure(error)
            }
            watch.remove(ticket)
            // Claimed by the deadline already: its callers have been failed and this writer retired.
            guard batch.claim() else { return }
            switch result {
            case .success(let outcomes) where outcomes.count == callers.count:
                for (caller, outcome) in zip(callers, outcomes) { caller.resume(returning: outcome) }
            case .success:
                for caller in callers { caller.resume(throwing: GroupCommitMismatch()) }
            case .failure(let error) where items.count == 1:
                callers[0].resume(throwing: error)
            case .failure:
                state.withLock { state in
                    state.alone.insert(contentsOf: zip(items, callers).map { (item: $0, caller: $1) }, at: 0)
                }
            }
        }
    }

    /// The deadline of a write passed: fails its callers, cancels and retires its writer, and starts another if
    /// anything waits.
    private func expire(_ batch: Batch, _ writer: Writer) {
        guard batch.claim() else { return }
        writer.cancel()
        for caller in batch.callers { caller.resume(throwing: DeadlineExceeded()) }
        let startsWriter = state.withLock { state -> Bool in
            state.writers -= 1
            guard !state.isEmpty, state.writers < maximumWriters else { return false }
            state.writers += 1
            return true
        }
        if startsWriter { startWriter() }
    }

    /// Takes the next batch (an item of a failed batch by itself, first), or retires this writer when nothing is
    /// waiting.
    private func nextBatch() -> ([Item], [Caller])? {
        state.withLock { state in
            if !state.alone.isEmpty {
                let next = state.alone.removeFirst()
                return ([next.item], [next.caller])
            }
            guard !state.items.isEmpty else {
                state.writers -= 1
                return nil
            }
            guard state.items.count > maximumBatch else {
                defer {
                    state.items = []
                    state.callers = []
                }
                return (state.items, state.callers)
            }
            defer {
                state.items.removeFirst(maximumBatch)
                state.callers.removeFirst(maximumBatch)
            }
            return (Array(state.items.prefix(maximumBatch)), Array(state.callers.prefix(maximumBatch)))
        }
    }

    /// The callers of a write in flight, answered by whichever comes first: the write or its deadline.
    private final class Batch: Sendable {
        let callers: [Caller]
        private let claimed = Atomic(false)

        init(_ callers: [Caller]) { self.callers = callers }

        /// Whether this call is the first to claim the callers (and so the one to answer them).
        func claim() -> Bool { !claimed.exchange(true, ordering: .acquiringAndReleasing) }
    }

    /// A writer's task, to cancel at a deadline (which may pass before the task is even recorded here).
    private final class Writer: Sendable {
        private struct State {
            var task: Task<Void, Never>?
            var cancelled = false
        }

        private let state = Mutex(State())

        func started(_ task: Task<Void, Never>) {
            let cancelled = state.withLock { state -> Bool in
                state.task = task
                return state.cancelled
            }
            if cancelled { task.cancel() }
        }

        func cancel() {
            let task = state.withLock { state -> Task<Void, Never>? in
                state.cancelled = true
                return state.task
            }
            task?.cancel()
        }
    }
}

extension GroupCommit where Outcome == Void {
    /// Group commit of plain writes.
    convenience init(
        maximumBatch: Int = 256, maximumWriters: Int = 1, deadline: Duration = .seconds(10),
        writing write: @escaping @Sendable ([Item]) async throws -> Void
    ) {
        self.init(maximumBatch: maximumBatch, maximumWriters: maximumWriters, deadline: deadline) { items in
            try await write(items)
            return Array(repeating: (), count: items.count)
        }
    }
}

/// A batch write that did not say what became of each item.
struct GroupCommitMismatch: Error {}
