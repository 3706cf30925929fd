public import Foundation
public import Logging
public import PostgresNIO

/// Organisations on PostgreSQL. Organisations are not tenant data: only platform admins reach these methods.
public struct PostgresOrganizationRepository: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    private typealias Row = (UUID, String, String?, UUID?, Bool, Date)

    /// Every organisation, by name.
    public func list() async throws -> [Organization] {
        let rows = try await client.tracedQuery(
            "SELECT id, name, domain, entra_tenant_id, is_active, created_at FROM organizations ORDER BY lower(name)",
            logger: logger
        )
        var result: [Organization] = []
        for try await row in rows.decode(Row.self) { result.append(Self.organization(row)) }
        return result
    }

    public func find(_ id: UUID) async throws -> Organization? {
        let rows = try await client.tracedQuery(
            "SELECT id, name, domain, entra_tenant_id, is_active, created_at FROM organizations WHERE id = \(id)",
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return Self.organization(row) }
        return nil
    }

    /// The organisation mapped to a Microsoft Entra tenant (`tid`), for Entra sign-ins.
    public func find(entraTenantID: UUID) async throws -> Organization? {
        let rows = try await client.tracedQuery(
            """
            SELECT id, name, domain, entra_tenant_id, is_active, created_at FROM organizations
            WHERE entra_tenant_id = \(entraTenantID)
            """,
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return Self.organization(row) }
        return nil
    }

    /// Creates an organisation. - Throws: `StoreError.conflict` for a taken name or Entra tenant.
    public func create(name: String, domain: String?, entraTenantID: UUID? = nil) async throws -> Organization {
        try await mappingConflicts {
            let rows = try await client.tracedQuery(
                """
                INSERT INTO organizations (name, domain, entra_tenant_id) VALUES (\(name), \(domain), \(entraTenantID))
                RETURNING id, name, domain, entra_tenant_id, is_active, created_at
                """,
                logger: logger
            )
            for try await row in rows.decode(Row.self) { return Self.organization(row) }
            throw StoreError.notFound
        }
    }

    /// Applies `changes`. - Throws: `StoreError.notFound`, or `.conflict` for a taken name or tenant.
    public func update(_ id: UUID, _ changes: OrganizationChanges) async throws -> Organization {
        try await mappingConflicts {
            let rows = try await client.tracedQuery(
                """
                UPDATE organizations SET
                    name = coalesce(\(changes.name), name),
                    domain = coalesce(\(changes.domain), domain),
                    entra_tenant_id = coalesce(\(changes.entraTenantID), entra_tenant_id),
                    is_active = coalesce(\(changes.isActive), is_active),
                    updated_at = now()
                WHERE id = \(id)
                RETURNING id, name, domain, entra_tenant_id, is_active, created_at
                """,
                logger: logger
            )
            for try await row in rows.decode(Row.self) { return Self.organization(row) }
            throw StoreError.notFound
        }
    }

    /// Deletes an organisation and, through the foreign keys, everything it owns.
    /// - Throws: `StoreError.notFound`; `.conflict("data")` when it still owns users or keys and `force` is false.
    public func delete(_ id: UUID, force: Bool) async throws {
        try await client.transaction(logger: logger) { connection in
            if !force {
                let owned = try await connection.tracedQuery(
                    """
                    SELECT EXISTS (SELECT 1 FROM users WHERE organization_id = \(id))
                        OR EXISTS (SELECT 1 FROM api_keys WHERE organization_id = \(id))
                    """,
                    logger: logger
                )
                for try await hasData in owned.decode(Bool.self) where hasData { throw StoreError.conflict("data") }
            }
            // Webhook deliveries have no foreign key (migration 0014): they go with their organisation here.
            try await connection.tracedQuery(
                "DELETE FROM webhook_deliveries WHERE organization_id = \(id)", logger: logger)
            let deleted = try await connection.tracedQuery(
                "DELETE FROM organizations WHERE id = \(id) RETURNING id", logger: logger)
            var found = false
            for try await _ in deleted { found = true }
            guard found else { throw StoreError.notFound }
        }
    }

    private func mappingConflicts<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            let constraint = error.serverInfo?[.constraintName] ?? ""
            throw StoreError.conflict(constraint.contains("entra") ? "entra_tenant_id" : "name")
        }
    }

    private static func organization(_ row: Row) -> Organization {
        Organization(id: row.0, name: row.1, domain: row.2, entraTenantID: row.3, isActive: row.4, createdAt: row.5)
    }
}
