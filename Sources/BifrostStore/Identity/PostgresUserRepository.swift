public import Foundation
public import Logging
public import PostgresNIO

/// `UserRepository` on PostgreSQL.
public struct PostgresUserRepository: UserRepository {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    private typealias Row = (UUID, UUID?, String, String, String, Bool, Date, [String])

    public func create(_ user: NewUser) async throws -> User {
        do {
            let rows = try await client.tracedQuery(
                """
                INSERT INTO users (organization_id, email, name, password_hash, is_platform_admin, role,
                                   entra_object_id, workflow_roles)
                VALUES (\(user.organizationID), \(user.email), \(user.name), \(user.passwordHash),
                        \(user.role == .platformAdmin), \(user.role.rawValue), \(user.entraObjectID),
                        \(user.workflowRoles.sorted()))
                RETURNING id, organization_id, email, name, role, is_active, created_at, workflow_roles
                """,
                logger: logger
            )
            for try await row in rows.decode(Row.self) { return try Self.user(row) }
            throw StoreError.notFound
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            let constraint = error.serverInfo?[.constraintName] ?? ""
            throw StoreError.conflict(constraint.contains("entra") ? "entra_object_id" : "email")
        }
    }

    public func credentials(forEmail email: String) async throws -> (user: User, passwordHash: String?)? {
        let rows = try await client.tracedQuery(
            """
            SELECT id, organization_id, email, name, role, is_active, created_at, workflow_roles, password_hash
            FROM users WHERE lower(email) = lower(\(email))
            """,
            logger: logger
        )
        for try await (id, org, mail, name, role, active, created, roles, hash) in rows.decode(
            (UUID, UUID?, String, String, String, Bool, Date, [String], String?).self
        ) {
            return (try Self.user((id, org, mail, name, role, active, created, roles)), hash)
        }
        return nil
    }

    public func find(id: UUID) async throws -> User? {
        let rows = try await client.tracedQuery(
            """
            SELECT id, organization_id, email, name, role, is_active, created_at, workflow_roles FROM users
            WHERE id = \(id)
            """,
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return try Self.user(row) }
        return nil
    }

    public func find(entraObjectID: String) async throws -> User? {
        let rows = try await client.tracedQuery(
            """
            SELECT id, organization_id, email, name, role, is_active, created_at, workflow_roles FROM users
            WHERE entra_object_id = \(entraObjectID)
            """,
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return try Self.user(row) }
        return nil
    }

    public func link(_ id: UUID, toEntraObject objectID: String) async throws -> Bool {
        do {
            let rows = try await client.tracedQuery(
                """
                UPDATE users SET entra_object_id = \(objectID), updated_at = now()
                WHERE id = \(id) AND (entra_object_id IS NULL OR entra_object_id = \(objectID))
                RETURNING id
                """,
                logger: logger
            )
            for try await _ in rows { return true }
            return false
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            return false
        }
    }

    public func isEmpty() async throws -> Bool {
        let rows = try await client.tracedQuery("SELECT NOT EXISTS (SELECT 1 FROM users)", logger: logger)
        for try await empty in rows.decode(Bool.self) { return empty }
        return true
    }

    public func list(_ visibility: Visibility) async throws -> [User] {
        let rows: PostgresRowSequence
        switch visibility {
        case .everything:
            rows = try await client.tracedQuery(
                """
                SELECT id, organization_id, email, name, role, is_active, created_at, workflow_roles FROM users
                ORDER BY lower(email)
                """,
                logger: logger
            )
        case .only(let scope):
            rows = try await client.tracedQuery(
                """
                SELECT id, organization_id, email, name, role, is_active, created_at, workflow_roles FROM users
                WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID) ORDER BY lower(email)
                """,
                logger: logger
            )
        }
        var users: [User] = []
        for try await row in rows.decode(Row.self) { users.append(try Self.user(row)) }
        return users
    }

    public func get(_ id: UUID, in scope: Scope) async throws -> User? {
        let rows = try await client.tracedQuery(
            """
            SELECT id, organization_id, email, name, role, is_active, created_at, workflow_roles FROM users
            WHERE id = \(id) AND organization_id IS NOT DISTINCT FROM \(scope.organizationID)
            """,
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return try Self.user(row) }
        return nil
    }

    public func update(_ id: UUID, in scope: Scope, _ changes: UserChanges) async throws -> User {
        // A new password ends every login session of the user in the same statement: whoever knew the old one
        // keeps neither a refresh token nor (once caches are cleared) an access token.
        let rows = try await client.tracedQuery(
            """
            WITH updated AS (
                UPDATE users SET
                    name = coalesce(\(changes.name), name),
                    role = coalesce(\(changes.role?.rawValue), role),
                    password_hash = coalesce(\(changes.passwordHash), password_hash),
                    is_active = coalesce(\(changes.isActive), is_active),
                    workflow_roles = coalesce(\(changes.workflowRoles?.sorted()), workflow_roles),
                    updated_at = now()
                WHERE id = \(id) AND organization_id IS NOT DISTINCT FROM \(scope.organizationID)
                RETURNING id, organization_id, email, name, role, is_active, created_at, workflow_roles
            ), ended AS (
                UPDATE refresh_tokens SET revoked_at = now()
                WHERE \(changes.passwordHash != nil) AND revoked_at IS NULL AND user_id IN (SELECT id FROM updated)
            )
            SELECT id, organization_id, email, name, role, is_active, created_at, workflow_roles FROM updated
            """,
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return try Self.user(row) }
        throw StoreError.notFound
    }

    public func delete(_ id: UUID, in scope: Scope) async throws {
        let rows = try await client.tracedQuery(
            """
            DELETE FROM users WHERE id = \(id) AND organization_id IS NOT DISTINCT FROM \(scope.organizationID)
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows { return }
        throw StoreError.notFound
    }

    private static func user(_ row: Row) throws -> User {
        guard let role = User.Role(rawValue: row.4) else { throw StoreError.notFound }
        return User(
            id: row.0, organizationID: row.1, email: row.2, name: row.3, role: role, isActive: row.5, createdAt: row.6,
            workflowRoles: Set(row.7)
        )
    }
}
