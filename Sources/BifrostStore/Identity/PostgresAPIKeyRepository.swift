public import Foundation
public import Logging
public import PostgresNIO

/// `APIKeyRepository` on PostgreSQL.
public struct PostgresAPIKeyRepository: APIKeyRepository {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    private typealias Row = (UUID, UUID?, String, String, String, [String]?, UUID?, Date, Date?, Date?, [String])

    public func create(_ key: NewAPIKey) async throws -> APIKey {
        let rows = try await client.tracedQuery(
            """
            INSERT INTO api_keys (organization_id, name, prefix, key_hash, role, workflows, created_by, expires_at,
                                  workflow_roles)
            VALUES (\(key.scope.organizationID), \(key.name), \(key.prefix), \(key.keyHash), \(key.role.rawValue),
                    \(key.workflows), \(key.createdBy), \(key.expiresAt), \(key.workflowRoles.sorted()))
            RETURNING id, organization_id, name, prefix, role, workflows, created_by, created_at, expires_at,
                last_used_at, workflow_roles
            """,
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return try Self.key(row) }
        throw StoreError.notFound
    }

    public func list(_ visibility: Visibility) async throws -> [APIKey] {
        let rows: PostgresRowSequence
        switch visibility {
        case .everything:
            rows = try await client.tracedQuery(
                """
                SELECT id, organization_id, name, prefix, role, workflows, created_by, created_at, expires_at,
                    last_used_at, workflow_roles
                FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at DESC
                """,
                logger: logger
            )
        case .only(let scope):
            rows = try await client.tracedQuery(
                """
                SELECT id, organization_id, name, prefix, role, workflows, created_by, created_at, expires_at,
                    last_used_at, workflow_roles
                FROM api_keys WHERE revoked_at IS NULL AND organization_id IS NOT DISTINCT FROM \(scope.organizationID)
                ORDER BY created_at DESC
                """,
                logger: logger
            )
        }
        var keys: [APIKey] = []
        for try await row in rows.decode(Row.self) { keys.append(try Self.key(row)) }
        return keys
    }

    public func revoke(_ id: UUID, in scope: Scope) async throws {
        let rows = try await client.tracedQuery(
            """
            UPDATE api_keys SET revoked_at = now()
            WHERE id = \(id) AND revoked_at IS NULL AND organization_id IS NOT DISTINCT FROM \(scope.organizationID)
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows { return }
        throw StoreError.notFound
    }

    public func authenticate(keyHash: String) async throws -> APIKey? {
        let rows = try await client.tracedQuery(
            """
            SELECT id, organization_id, name, prefix, role, workflows, created_by, created_at, expires_at,
                last_used_at, workflow_roles
            FROM api_keys
            WHERE key_hash = \(keyHash) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
            """,
            logger: logger
        )
        var found: APIKey?
        for try await row in rows.decode(Row.self) { found = try Self.key(row) }
        guard let key = found else { return nil }
        // Record use at most once a minute, so that a busy key does not write on every request.
        if key.lastUsedAt.map({ Date().timeIntervalSince($0) > 60 }) ?? true {
            try await client.tracedQuery(
                "UPDATE api_keys SET last_used_at = now() WHERE id = \(key.id)", logger: logger)
        }
        return key
    }

    public func isLive(_ id: UUID) async throws -> Bool {
        let rows = try await client.tracedQuery(
            """
            SELECT EXISTS (
                SELECT 1 FROM api_keys
                WHERE id = \(id) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
            )
            """,
            logger: logger
        )
        for try await live in rows.decode(Bool.self) { return live }
        return false
    }

    private static func key(_ row: Row) throws -> APIKey {
        guard let role = User.Role(rawValue: row.4) else { throw StoreError.notFound }
        return APIKey(
            id: row.0, organizationID: row.1, name: row.2, prefix: row.3, role: role, workflows: row.5,
            createdBy: row.6, createdAt: row.7, expiresAt: row.8, lastUsedAt: row.9, workflowRoles: Set(row.10)
        )
    }
}
