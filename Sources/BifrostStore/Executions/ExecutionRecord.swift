public import Bifrost
public import Foundation

/// A workflow run as stored.
public struct ExecutionRecord: Sendable, Hashable {
    public var id: UUID
    public var workflow: String
    public var organizationID: UUID?
    public var status: ExecutionStatus
    public var input: JSONValue
    public var result: JSONValue?
    public var error: String?
    public var startedBy: ExecutionActor
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var durationMilliseconds: Int?

    public init(
        id: UUID, workflow: String, organizationID: UUID?, status: ExecutionStatus, input: JSONValue,
        result: JSONValue? = nil, error: String? = nil, startedBy: ExecutionActor, createdAt: Date,
        startedAt: Date? = nil, finishedAt: Date? = nil, durationMilliseconds: Int? = nil
    ) {
        self.id = id
        self.workflow = workflow
        self.organizationID = organizationID
        self.status = status
        self.input = input
        self.result = result
        self.error = error
        self.startedBy = startedBy
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMilliseconds = durationMilliseconds
    }
}

/// Who started a run: a user or an API key (nil ids for the system), with a label for people.
public struct ExecutionActor: Sendable, Hashable {
    public var userID: UUID?
    public var apiKeyID: UUID?
    /// An email, a key's name and prefix, or `system`.
    public var label: String

    public init(userID: UUID? = nil, apiKeyID: UUID? = nil, label: String) {
        self.userID = userID
        self.apiKeyID = apiKeyID
        self.label = label
    }
}

/// One line of a run's log.
public struct ExecutionLogLine: Sendable, Hashable {
    public var sequence: Int
    /// `debug`, `info`, `warning` or `error`.
    public var level: String
    public var message: String
    public var loggedAt: Date

    public init(sequence: Int, level: String, message: String, loggedAt: Date) {
        self.sequence = sequence
        self.level = level
        self.message = message
        self.loggedAt = loggedAt
    }
}

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

/// A position in the newest-first list of runs: the creation time and id of the last row seen.
public struct ExecutionCursor: Sendable, Hashable {
    public var createdAt: Date
    public var id: UUID

    public init(createdAt: Date, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }
}
