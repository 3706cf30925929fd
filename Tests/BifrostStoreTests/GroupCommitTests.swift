import Synchronization
import Testing

@testable import BifrostStore

/// Batching of run outcomes: everything submitted is written exactly once, in batches, and a failing batch fails
/// only the item that made it fail; a write that hangs fails its callers at the deadline without holding up later
/// ones.
@Suite struct GroupCommitTests {
    private struct Refused: Error {}

    @Test func itemsSubmittedTogetherShareWritesAndOneBadItemFailsAlone() async throws {
        let written = Mutex<[[Int]]>([])
        // Each item's outcome is what the write said of it: here, its double.
        let commit = GroupCommit<Int, Int>(maximumBatch: 16, maximumWriters: 1) { batch in
            try await Task.sleep(for: .milliseconds(5))
            if batch.contains(13) { throw Refused() }
            written.withLock { $0.append(batch) }
            return batch.map { $0 * 2 }
        }
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for item in 0..<100 {
                group.addTask { (item, (try? await commit.submit(item)) == item * 2) }
            }
            var outcomes: [Int: Bool] = [:]
            for await (item, succeeded) in group { outcomes[item] = succeeded }
            return outcomes
        }
        #expect(outcomes.filter { !$0.value }.map(\.key) == [13])
        let batches = written.withLock { $0 }
        #expect(batches.flatMap { $0 }.sorted() == (0..<100).filter { $0 != 13 })
        #expect(batches.count < 99, "items submitted at once were written in fewer writes than items")
        #expect(batches.allSatisfy { $0.count <= 16 })
    }

    @Test(.timeLimit(.minutes(1))) func aWriteThatHangsFailsItsCallerAtTheDeadlineAndANewWriterServesTheNext()
        async throws
    {
        let stuck = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let (cancellations, cancelled) = AsyncStream<Void>.makeStream()
        let commit = GroupCommit<Int, Int>(deadline: .milliseconds(100), watch: DeadlineWatch(tick: .milliseconds(10)))
        {
            batch in
            if batch == [1] {
                // Hangs, ignoring cancellation, as a statement on a silently dead connection does.
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in stuck.withLock { $0 = continuation } }
                } onCancel: {
                    cancelled.yield()
                }
            }
            return batch.map { $0 * 2 }
        }
        await #expect(throws: DeadlineExceeded.self) { try await commit.submit(1) }
        // The hung write is cancelled at the deadline (the test's time limit fails it if it never is).
        var cancellation = cancellations.makeAsyncIterator()
        #expect(await cancellation.next() != nil)
        // The hung writer still holds its write; a new writer serves the next caller.
        #expect(try await commit.submit(2) == 4)
        // When the hung write ends at last, its caller (already failed) is not answered a second time.
        let continuation = try #require(stuck.withLock { $0 })
        continuation.resume()
        #expect(try await commit.submit(3) == 6)
    }

    @Test(.timeLimit(.minutes(1))) func itemsOfAFailedBatchAreStillWrittenWhenOneOfThemHangs() async throws {
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let stuck = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let (blocked, block) = AsyncStream<Void>.makeStream()
        let commit = GroupCommit<Int, Int>(deadline: .seconds(5), watch: DeadlineWatch(tick: .milliseconds(10))) {
            batch in
            if batch == [0] {
                // Holds the writer until 1, 2 and 3 are all waiting, so that they are written as one batch.
                await withCheckedContinuation { continuation in
                    gate.withLock { $0 = continuation }
                    block.yield()
                }
            }
            if batch.count > 1 { throw Refused() }
            if batch == [2] {
                await withCheckedContinuation { continuation in stuck.withLock { $0 = continuation } }
            }
            return batch.map { $0 * 2 }
        }
        let first = Task { try await commit.submit(0) }
        var blocking = blocked.makeAsyncIterator()
        _ = await blocking.next()
        let others = (1...3).map { item in Task { try await commit.submit(item) } }
        while commit.waiting < 3 { try await Task.sleep(for: .milliseconds(1)) }
        try #require(gate.withLock { $0 }).resume()

        // The batch [1, 2, 3] fails, so each is written by itself: 1 is written, 2 hangs past the deadline, and
        // 3 is written by the writer that takes over, while 2's write still hangs. (The deadline is long enough
        // that holding 0's write at the gate never reaches it, however loaded the machine.)
        #expect(try await first.value == 0)
        #expect(try await others[0].value == 2)
        await #expect(throws: DeadlineExceeded.self) { try await others[1].value }
        #expect(try await others[2].value == 6)
        try #require(stuck.withLock { $0 }).resume()
    }
}
