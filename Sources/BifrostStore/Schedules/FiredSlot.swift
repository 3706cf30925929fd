public import Foundation

/// A slot that fired, and the status of its newest run the caller may see (nil when it sees none).
public struct FiredSlot: Sendable, Hashable {
    public var at: Date
    public var lastStatus: ExecutionStatus?
}
