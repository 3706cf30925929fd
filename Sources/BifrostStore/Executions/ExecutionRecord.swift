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
    /// The W3C trace id (32 hex digits) the run was recorded in, when tracing was on.
    public var traceID: String?

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
