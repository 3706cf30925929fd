public import Foundation
public import Logging
public import PostgresNIO

/// `WorkflowAccessRepository` on PostgreSQL. Every change notifies `channel` with the organisation's id in the
/// same statement, so that every replica forgets what it cached of that organisation.
public struct PostgresWorkflowAccessRepository: WorkflowAccessRepository {
    /// The channel on which replicas hear that an organisation's narrowings changed (payload: its id, lower case).
    public static let channel = "bifrost_workflow_access"

    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func narrowings(in organization: UUID) async throws -> [String: Set<String>] {
        let rows = try await client.tracedQuery(
            "SELECT workflow_name, roles FROM workflow_access WHERE organization_id = \(organization)",
            logger: logger
        )
        var narrowings: [String: Set<String>] = [:]
        for try await (workflow, roles) in rows.decode((String, [String]).self) { narrowings[workflow] = Set(roles) }
        return narrowings
    }

    public func narrow(_ workflow: String, to roles: Set<String>, in organization: UUID, by actor: String)
        async throws
    {
        try await client.tracedQuery(
            """
            WITH saved AS (
                INSERT INTO workflow_access (organization_id, workflow_name, roles, updated_by)
                VALUES (\(organization), \(workflow), \(roles.sorted()), \(actor))
                ON CONFLICT (organization_id, workflow_name)
                DO UPDATE SET roles = excluded.roles, updated_by = excluded.updated_by, updated_at = now()
                RETURNING organization_id
            )
            SELECT pg_notify(\(Self.channel), organization_id::text) FROM saved
            """,
            logger: logger
        )
    }

    public func clear(_ workflow: String, in organization: UUID) async throws -> Bool {
        let rows = try await client.tracedQuery(
            """
            WITH removed AS (
                DELETE FROM workflow_access WHERE organization_id = \(organization) AND workflow_name = \(workflow)
                RETURNING organization_id
            )
            SELECT pg_notify(\(Self.channel), organization_id::text) FROM removed
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }
}
