import Synchronization
import Testing

@testable import BifrostStore

/// `withDeadline` hands back the work's result, or gives up on work that outlasts its limit even when the work
/// ignores cancellation; one watcher (`DeadlineWatch`) keeps every deadline.
@Suite struct DeadlineTests {
    @Test func returnsWhatTheWorkReturnsOrThrows() async throws {
        let value = try await withDeadline(.seconds(30)) { 42 }
        #expect(value == 42)
        await #expect(throws: WorkFailed.self) {
            try await withDeadline(.seconds(30)) { () async throws -> Int in throw WorkFailed() }
        }
    }

    @Test func givesUpOnWorkThatOutlastsItsLimitEvenIfTheWorkIgnoresCancellation() async throws {
        let stuck = Mutex<CheckedContinuation<Void, Never>?>(nil)
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(200)) {
                await withCheckedContinuation { continuation in stuck.withLock { $0 = continuation } }
            }
        }
        // The caller was answered while the work is still stuck; let it end now.
        let continuation = try #require(stuck.withLock { $0 })
        continuation.resume()
    }

    @Test func aWatchCallsWhatExpiredForgetsWhatWasRemovedAndRetiresWhenEmpty() async throws {
        let watch = DeadlineWatch(tick: .milliseconds(10))
        let expired = Mutex<[String]>([])
        _ = watch.add(after: .milliseconds(30)) { expired.withLock { $0.append("due") } }
        let removed = watch.add(after: .milliseconds(30)) { expired.withLock { $0.append("removed") } }
        watch.remove(removed)
        try await waitUntil { expired.withLock { $0.count } == 1 }
        // Five more ticks: the removed deadline (due by now) never fires, and nothing is left registered.
        try await Task.sleep(for: .milliseconds(50))
        #expect(expired.withLock { $0 } == ["due"])
        #expect(watch.count == 0)
        // A later deadline starts the watcher again.
        _ = watch.add(after: .milliseconds(10)) { expired.withLock { $0.append("again") } }
        try await waitUntil { expired.withLock { $0.count } == 2 }
        #expect(expired.withLock { $0 } == ["due", "again"])
    }
}

private struct WorkFailed: Error {}

/// Polls `condition` every 10 ms; fails the test if it does not hold within 10 seconds.
private func waitUntil(_ condition: () -> Bool) async throws {
    for _ in 0..<1_000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
    #expect(condition())
}
