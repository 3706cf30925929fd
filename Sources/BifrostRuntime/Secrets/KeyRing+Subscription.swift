public import BifrostStore

extension KeyRing {
    /// Forgets a scope's cached data keys when any replica rotates them, and every cached key when listening
    /// (re)starts, since a rotation may have been announced meanwhile.
    public var subscription: NotificationSubscription {
        NotificationSubscription(
            channel: Self.channel,
            received: { [self] payload in
                if let scope = Self.scope(announced: payload) { evict(scope) } else { evictAll() }
            },
            resumed: { [self] in evictAll() }
        )
    }
}
