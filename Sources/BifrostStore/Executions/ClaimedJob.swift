/// A job a worker has claimed: its record (now `Running`), its caller, and which attempt this is (1 for the first).
public struct ClaimedJob: Sendable, Hashable {
    public var record: ExecutionRecord
    public var caller: JobCaller
    public var attempt: Int
}
