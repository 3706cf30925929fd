import Hummingbird
import Logging

/// A real HTTP server on a free port of 127.0.0.1, for the fake identity and OAuth providers of the tests.
enum LoopbackServer {
    /// Serves `router` while `body` runs with the bound port, then stops.
    static func serve<Result: Sendable>(
        _ router: Router<BasicRequestContext>, label: String, _ body: (Int) async throws -> Result
    ) async throws -> Result {
        let port = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: label)
        logger.logLevel = .critical  // cancelling the server at the end of a test logs a harmless "already closed"
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                port.continuation.yield(channel.localAddress?.port ?? 0)
                port.continuation.finish()
            },
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = port.stream.makeAsyncIterator()
            guard let bound = await iterator.next() else { throw CancellationError() }
            defer { group.cancelAll() }
            return try await body(bound)
        }
    }
}
