public import Foundation

/// A position in the newest-first list of runs: the creation time and id of the last row seen.
public struct ExecutionCursor: Sendable, Hashable {
    public var createdAt: Date
    public var id: UUID

    public init(createdAt: Date, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }
}
