/// What a part of the gateway does with one `NOTIFY` channel.
public struct NotificationSubscription: Sendable {
    public let channel: String
    /// Called with each notification's payload.
    package let received: @Sendable (String) -> Void
    /// Called each time listening starts, the first time included: notifications sent while the connection was
    /// down are lost, so a subscriber catches up here (clears a cache, wakes its workers, re-reads its rows).
    package let resumed: @Sendable () -> Void

    public init(
        channel: String, received: @escaping @Sendable (String) -> Void, resumed: @escaping @Sendable () -> Void
    ) {
        self.channel = channel
        self.received = received
        self.resumed = resumed
    }
}
