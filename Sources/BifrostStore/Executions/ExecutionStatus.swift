/// Where a run is in its life.
public enum ExecutionStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case pending = "Pending"
    case running = "Running"
    case success = "Success"
    /// Finished, but the result says `"success": false`.
    case completedWithErrors = "CompletedWithErrors"
    case failed = "Failed"
    case timeout = "Timeout"
    case cancelled = "Cancelled"

    /// Whether the run is over.
    public var isFinal: Bool { self != .pending && self != .running }
}
