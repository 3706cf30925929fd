/// The `NOTIFY` channels through which replicas tell each other about runs. Notifications only wake: the rows
/// are the truth, so a missed notification delays a reader but never misleads it.
public enum ExecutionChannels {
    /// A job was queued (no payload): idle workers claim.
    public static let jobs = "bifrost_jobs"
    /// A recorded run changed (status or new log lines); the payload is its id.
    public static let events = "bifrost_execution_events"
    /// A run is to be cancelled on whichever replica runs it; the payload is its id.
    public static let cancel = "bifrost_execution_cancel"
}
