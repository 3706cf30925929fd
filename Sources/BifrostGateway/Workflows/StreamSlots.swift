import Foundation
import Synchronization

/// Counts the live-update streams (Server-Sent Events and WebSockets) open in this process, in all and per user
/// or key, and refuses one more beyond `http.maxStreams` or `http.maxStreamsPerPrincipal` with 429: each stream
/// holds a connection, a task and a watch in the database for as long as a client likes.
final class StreamSlots: Sendable {
    let maximum: Int
    let maximumPerPrincipal: Int
    private let counts = Mutex<(total: Int, byPrincipal: [UUID: Int])>((0, [:]))

    init(maximum: Int, maximumPerPrincipal: Int) {
        self.maximum = maximum
        self.maximumPerPrincipal = maximumPerPrincipal
    }

    /// One open stream; `release` gives its place back (once, however often it is called).
    final class Slot: Sendable {
        private let release: Mutex<(@Sendable () -> Void)?>

        fileprivate init(_ release: @escaping @Sendable () -> Void) { self.release = Mutex(release) }

        func close() {
            release.withLock { $0.take() }?()
        }

        deinit { close() }
    }

    /// Throws 429 when `principal` could not open a stream now (for a WebSocket upgrade, before it happens).
    func checkAvailable(for principal: UUID) throws {
        let (total, own) = counts.withLock { ($0.total, $0.byPrincipal[principal, default: 0]) }
        try Self.refuseBeyond(total: total, own: own, maximum: maximum, perPrincipal: maximumPerPrincipal)
    }

    /// Takes a place for a stream of `principal`.
    /// - Throws: `Problem` 429 when the process or the principal has all the streams it may have.
    func open(for principal: UUID) throws -> Slot {
        try counts.withLock { state in
            try Self.refuseBeyond(
                total: state.total, own: state.byPrincipal[principal, default: 0], maximum: maximum,
                perPrincipal: maximumPerPrincipal
            )
            state.total += 1
            state.byPrincipal[principal, default: 0] += 1
        }
        return Slot { [self] in
            counts.withLock { state in
                state.total -= 1
                let remaining = state.byPrincipal[principal, default: 1] - 1
                state.byPrincipal[principal] = remaining > 0 ? remaining : nil
            }
        }
    }

    private static func refuseBeyond(total: Int, own: Int, maximum: Int, perPrincipal: Int) throws {
        if own >= perPrincipal {
            throw Problem.tooManyRequests(
                retryAfter: .seconds(5), detail: "The caller has \(perPrincipal) live-update streams open already."
            )
        }
        if total >= maximum {
            throw Problem.tooManyRequests(
                retryAfter: .seconds(5), detail: "This server has all the live-update streams it takes.")
        }
    }
}

extension AsyncStream where Element: Sendable {
    /// This stream, closing `slot` once its reader finishes or goes away.
    func holding(_ slot: StreamSlots.Slot) -> AsyncStream<Element> {
        let (stream, output) = AsyncStream.makeStream(of: Element.self)
        // Ends with this stream, or is cancelled when the reader goes away (`onTermination`).
        let forwarder = Task {
            for await element in self { output.yield(element) }
            output.finish()
        }
        output.onTermination = { _ in
            forwarder.cancel()
            slot.close()
        }
        return stream
    }
}
