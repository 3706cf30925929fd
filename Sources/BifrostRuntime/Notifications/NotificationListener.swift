public import Logging
public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// Listens on every channel the gateway uses over one pooled connection, held for as long as it runs, and hands
/// each notification to its subscription.
///
/// When the connection is lost it listens again, waiting a little longer after each failure (200 ms doubling to
/// 10 s), and calls every subscription's `resumed` once listening has started again.
public struct NotificationListener: Service {
    package let client: PostgresClient
    package let subscriptions: [NotificationSubscription]
    package let logger: Logger

    public init(client: PostgresClient, subscriptions: [NotificationSubscription], logger: Logger) {
        self.client = client
        self.subscriptions = subscriptions
        self.logger = logger
    }

    public func run() async throws {
        guard !subscriptions.isEmpty else { return }
        await cancelWhenGracefulShutdown {
            var delay = Duration.milliseconds(200)
            while !Task.isCancelled {
                if await listenUntilDisconnected() { delay = .milliseconds(200) }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    /// Listens on one connection until it fails. - Returns: whether listening had started on every channel.
    private func listenUntilDisconnected() async -> Bool {
        let counter = ListeningCount()
        do {
            try await client.withConnection { connection in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for subscription in subscriptions {
                        group.addTask {
                            try await connection.listen(on: subscription.channel) { notifications in
                                subscription.resumed()
                                counter.increment()
                                for try await notification in notifications {
                                    subscription.received(notification.payload)
                                }
                            }
                        }
                    }
                    // The first channel to stop (its connection failed, or this task was cancelled) stops them all.
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch  where !Task.isCancelled {
            logger.warning("Notification listener lost its connection", metadata: ["error.message": "\(error)"])
        } catch {}
        return counter.value == subscriptions.count
    }
}

/// How many channels are being listened on, counted from the channels' tasks.
private final class ListeningCount: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
