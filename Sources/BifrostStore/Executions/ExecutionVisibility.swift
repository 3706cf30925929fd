public import Foundation

/// Which runs a caller may see: those of a scope (or all), possibly only those one actor started, and possibly
/// only those of some workflows.
public struct ExecutionVisibility: Sendable, Hashable {
    public var rows: Visibility
    /// Only runs started by this user or key (organisation members see their own runs).
    public var startedBy: UUID?
    /// Only runs of these workflows (an API key restricted to some workflows sees no others); nil for all.
    public var workflows: [String]?

    public init(_ rows: Visibility, startedBy: UUID? = nil, workflows: [String]? = nil) {
        self.rows = rows
        self.startedBy = startedBy
        self.workflows = workflows
    }
}
