import BifrostStore
import Testing

/// Services wait for the schema on `SchemaState`: every waiter wakes when it becomes current, a late one returns
/// at once, and a cancelled one stops waiting.
@Suite struct SchemaStateTests {
    @Test func waitersWakeWhenTheSchemaBecomesCurrent() async throws {
        let schema = SchemaState()
        let (started, starting) = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    starting.yield()
                    try await schema.waitUntilCurrent()
                    #expect(schema.isCurrent)
                }
            }
            var count = 0
            for await _ in started {
                count += 1
                if count == 3 { break }
            }
            #expect(!schema.isCurrent)
            schema.markCurrent()
            try await group.waitForAll()
        }
        try await schema.waitUntilCurrent()
    }

    @Test func aCancelledWaiterStopsWaiting() async throws {
        let schema = SchemaState()
        let waiter = Task { try await schema.waitUntilCurrent() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(!schema.isCurrent)
    }
}
