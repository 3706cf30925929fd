import Synchronization

/// A clock a test moves by hand, for throttles, refetch intervals and leases that read the time through a closure.
public final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    public init() {}

    /// The clock's current instant.
    public var now: ContinuousClock.Instant { instant.withLock { $0 } }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) { instant.withLock { $0 += duration } }
}
