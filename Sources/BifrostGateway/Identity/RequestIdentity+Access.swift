import BifrostRuntime
import BifrostStore

extension RequestIdentity {
    /// The current request's identity. - Throws: 401 when the request is anonymous (policy normally prevents it).
    static func required() throws -> RequestIdentity {
        guard let current else { throw Problem.unauthorized() }
        return current
    }

    /// An audit entry of this caller doing `action` to a target.
    func auditEvent(_ action: String, targetKind: String, targetID: String, outcome: String = "success") -> AuditEvent {
        AuditEvent(
            organizationID: scope.organizationID, actorKind: principal.kind, actorID: principal.id,
            actorLabel: principal.label, action: action, targetKind: targetKind, targetID: targetID,
            outcome: outcome, requestID: RequestTrace.requestID
        )
    }
}
