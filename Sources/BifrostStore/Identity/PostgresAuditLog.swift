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
        try await client.query(
            """
            INSERT INTO audit_events (organization_id, actor_kind, actor_id, actor_label, action, target_kind,
                                      target_id, outcome, request_id, client_address)
            VALUES (\(event.organizationID), \(event.actorKind), \(event.actorID), \(event.actorLabel), \(event.action),
                    \(event.targetKind), \(event.targetID), \(event.outcome), \(event.requestID), \(event.clientAddress))
            """,
            logger: logger
        )
    }
}
