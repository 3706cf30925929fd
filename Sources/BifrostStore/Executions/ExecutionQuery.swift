public import Foundation

/// Filters and paging of an executions list.
public struct ExecutionQuery: Sendable, Hashable {
    public var workflow: String?
    public var status: ExecutionStatus?
    public var since: Date?
    public var until: Date?
    /// The last row of the previous page.
    public var after: ExecutionCursor?
    public var limit: Int

    public init(
        workflow: String? = nil, status: ExecutionStatus? = nil, since: Date? = nil, until: Date? = nil,
        after: ExecutionCursor? = nil, limit: Int = 50
    ) {
        self.workflow = workflow
        self.status = status
        self.since = since
        self.until = until
        self.after = after
        self.limit = limit
    }
}
