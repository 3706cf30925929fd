/// How full the queue is, deployment-wide (`PostgresJobQueue.depth()`).
public struct QueueDepth: Sendable, Hashable {
    /// Jobs waiting for a worker (`Pending`), due or not.
    public var pending: Int
    /// Seconds the oldest due job has waited; 0 when none is due.
    public var oldestPendingAge: Double

    public init(pending: Int, oldestPendingAge: Double) {
        self.pending = pending
        self.oldestPendingAge = oldestPendingAge
    }
}
