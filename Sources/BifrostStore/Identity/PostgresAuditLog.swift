import Foundation
public import Logging
public import PostgresNIO

/// `AuditLog` on PostgreSQL (`audit_events`).
public struct PostgresAuditLog: AuditLog {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func record(_ event: AuditEvent) async throws {
        try await client.tracedQuery(
            """
            INSERT INTO audit_events (organization_id, actor_kind, actor_id, actor_label, action, target_kind,
                                      target_id, outcome, request_id, client_address)
            VALUES (\(event.organizationID), \(event.actorKind), \(event.actorID), \(event.actorLabel), \(event.action),
                    \(event.targetKind), \(event.targetID), \(event.outcome), \(event.requestID), \(event.clientAddress))
            """,
            logger: logger
        )
    }

    public func list(_ visibility: Visibility, limit: Int) async throws -> [RecordedAuditEvent] {
        let all = visibility == .everything
        let organization: UUID? = if case .only(let scope) = visibility { scope.organizationID } else { nil }
        let rows = try await client.tracedQuery(
            """
            SELECT id, occurred_at, organization_id, actor_kind, actor_id, actor_label, action, target_kind, target_id,
                   outcome, request_id
            FROM audit_events
            WHERE \(all) OR organization_id IS NOT DISTINCT FROM \(organization)
            ORDER BY id DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var events: [RecordedAuditEvent] = []
        for try await (id, at, org, kind, actor, label, action, targetKind, target, outcome, request) in rows.decode(
            (Int64, Date, UUID?, String, UUID?, String, String, String?, String?, String, String?).self
        ) {
            events.append(
                RecordedAuditEvent(
                    id: id, occurredAt: at,
                    event: AuditEvent(
                        organizationID: org, actorKind: kind, actorID: actor, actorLabel: label, action: action,
                        targetKind: targetKind, targetID: target, outcome: outcome, requestID: request
                    )
                )
            )
        }
        return events
    }
}
