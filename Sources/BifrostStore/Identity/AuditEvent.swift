public import Foundation

/// One entry of the audit log: who did what to which, from where. Never carries a secret value.
public struct AuditEvent: Sendable {
    public var organizationID: UUID?
    /// `user`, `api_key`, `system` or `anonymous`.
    public var actorKind: String
    public var actorID: UUID?
    /// A human-readable actor (an email, a key name); never a credential.
    public var actorLabel: String
    /// Dotted verb, such as `auth.login` or `organization.create`.
    public var action: String
    public var targetKind: String?
    public var targetID: String?
    /// `success` or `failure`.
    public var outcome: String
    public var requestID: String?
    public var clientAddress: String?

    public init(
        organizationID: UUID?, actorKind: String, actorID: UUID?, actorLabel: String, action: String,
        targetKind: String? = nil, targetID: String? = nil, outcome: String = "success",
        requestID: String? = nil, clientAddress: String? = nil
    ) {
        self.organizationID = organizationID
        self.actorKind = actorKind
        self.actorID = actorID
        self.actorLabel = actorLabel
        self.action = action
        self.targetKind = targetKind
        self.targetID = targetID
        self.outcome = outcome
        self.requestID = requestID
        self.clientAddress = clientAddress
    }
}

/// The audit log.
public protocol AuditLog: Sendable {
    func record(_ event: AuditEvent) async throws
    /// Events visible in `visibility`, newest first.
    func list(_ visibility: Visibility, limit: Int) async throws -> [RecordedAuditEvent]
}

/// An audit event as stored, with its id and time.
public struct RecordedAuditEvent: Sendable {
    public var id: Int64
    public var occurredAt: Date
    public var event: AuditEvent

    public init(id: Int64, occurredAt: Date, event: AuditEvent) {
        self.id = id
        self.occurredAt = occurredAt
        self.event = event
    }
}
