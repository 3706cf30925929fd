public import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// OAuth connections on PostgreSQL, per scope; a run uses its organisation's connection, else a global one shared
/// with organisations. The client secret and tokens are sealed together under the scope's data key
/// (`OAuthCredentials`). Every write notifies `channel` (an `OAuthChange`) when it commits, so every replica drops
/// the cached tokens it makes stale.
public struct PostgresOAuthConnectionRepository: Sendable {
    /// The channel on which replicas hear that a connection was created, changed or deleted, or an organisation
    /// deactivated (payload: an `OAuthChange`).
    public static let channel = "bifrost_oauth"

    let client: PostgresClient
    let keys: KeyRing
    let logger: Logger

    public init(client: PostgresClient, keys: KeyRing, logger: Logger) {
        self.client = client
        self.keys = keys
        self.logger = logger
    }

    /// The customer tenants of `per_organization` connections, on the same database and keys.
    public var tenantTokens: PostgresOAuthTenantTokenRepository {
        PostgresOAuthTenantTokenRepository(client: client, keys: keys, logger: logger)
    }

    /// Creates connection `name` in `scope`. - Throws: `StoreError.conflict("name")` when the scope has one.
    public func create(
        _ name: String, _ settings: OAuthConnectionSettings, clientSecret: String?, in scope: Scope, by actor: String
    ) async throws -> OAuthConnection {
        let (sealed, version) = try await seal(OAuthCredentials(clientSecret: clientSecret), name: name, scope: scope)
        do {
            // Organisation runs may have cached a global connection's token under this name: the notification,
            // sent when the row commits, makes every replica forget it.
            let rows = try await client.tracedQuery(
                """
                WITH created AS (
                    INSERT INTO oauth_connections (organization_id, name, provider, flow, client_id, scopes, tenant,
                        tenancy, authorize_url, token_url, shared_with_organizations, sealed, data_key_version,
                        created_by, updated_by)
                    VALUES (\(scope.organizationID), \(name), \(settings.provider), \(settings.flow.rawValue),
                        \(settings.clientID), \(settings.scopes), \(settings.tenant), \(settings.tenancy.rawValue),
                        \(settings.authorizeURL),
                        \(settings.tokenURL), \(settings.sharedWithOrganizations), \(ByteBuffer(bytes: sealed)),
                        \(version), \(actor), \(actor))
                    RETURNING *
                )
                SELECT \(unescaped: Self.columns), pg_notify(\(Self.channel), \(unescaped: OAuthChange.rowPayloadSQL)) IS NULL
                FROM created
                """,
                logger: logger
            )
            for try await row in rows.decode(RowAndFlag.self) { return Self.connection(row) }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw StoreError.conflict("name")
        }
        throw StoreError.notFound
    }

    /// Replaces connection `name`'s settings. When they send its credentials elsewhere
    /// (`OAuthConnectionSettings.changesDestination`), its client secret and tokens are discarded and it is
    /// `not_connected` again: the client secret is `clientSecret` when given, else none. Otherwise the tokens stay,
    /// and the client secret is replaced only when one is given. - Throws: `StoreError.notFound`.
    public func update(
        _ name: String, _ settings: OAuthConnectionSettings, clientSecret: String?, in scope: Scope, by actor: String
    ) async throws -> OAuthConnection {
        try await withLock(named: name, in: scope) { locked in
            let moves = settings.changesDestination(of: locked.current)
            var credentials = try await locked.credentials()
            if moves {
                credentials = OAuthCredentials(clientSecret: clientSecret)
            } else if let clientSecret {
                credentials.clientSecret = clientSecret
            }
            let (sealed, version) = try await seal(credentials, name: name, scope: scope)
            let rows = try await locked.connection.tracedQuery(
                """
                UPDATE oauth_connections SET provider = \(settings.provider), flow = \(settings.flow.rawValue),
                    client_id = \(settings.clientID), scopes = \(settings.scopes), tenant = \(settings.tenant),
                    tenancy = \(settings.tenancy.rawValue),
                    authorize_url = \(settings.authorizeURL), token_url = \(settings.tokenURL),
                    shared_with_organizations = \(settings.sharedWithOrganizations),
                    sealed = \(ByteBuffer(bytes: sealed)), data_key_version = \(version), updated_at = now(),
                    status = CASE WHEN \(moves) THEN 'not_connected' ELSE status END,
                    token_type = CASE WHEN \(moves) THEN NULL ELSE token_type END,
                    granted_scopes = CASE WHEN \(moves) THEN NULL ELSE granted_scopes END,
                    expires_at = CASE WHEN \(moves) THEN NULL ELSE expires_at END,
                    last_error = CASE WHEN \(moves) THEN NULL ELSE last_error END,
                    updated_by = \(actor), generation = generation + 1
                WHERE id = \(locked.current.id)
                RETURNING \(unescaped: Self.columns)
                """,
                logger: logger
            )
            var updated: OAuthConnection?
            for try await row in rows.decode(Row.self) { updated = Self.connection(row) }
            guard let updated else { throw StoreError.notFound }
            if moves { try await tenantTokens.deleteAll(of: updated.id, on: locked.connection) }
            let current = locked.current
            try await locked.notify(
                .connection(id: current.id, organizationID: current.organizationID, name: current.name))
            return updated
        }
    }

    /// The connections of `scope`, by name.
    public func list(in scope: Scope) async throws -> [OAuthConnection] {
        try await select(
            "WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID) ORDER BY name"
        ).map(\.connection)
    }

    /// Connection `name` of `scope`.
    public func find(_ name: String, in scope: Scope) async throws -> OAuthConnection? {
        try await select(
            "WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID) AND name = \(name)"
        ).first?.connection
    }

    /// The connection with `id`, whatever its scope (for the broker, which found it by name first).
    public func find(id: UUID) async throws -> OAuthConnection? {
        try await select("WHERE id = \(id)").first?.connection
    }

    /// The connection a run in `scope` uses for `name`: its organisation's, else a global one shared with
    /// organisations; for a run in global scope, the global one.
    public func findForRun(_ name: String, scope: Scope) async throws -> OAuthConnection? {
        try await select(
            """
            WHERE name = \(name) AND (organization_id = \(scope.organizationID) OR (organization_id IS NULL
                AND (\(scope.organizationID)::uuid IS NULL OR shared_with_organizations)))
            ORDER BY organization_id NULLS LAST LIMIT 1
            """
        ).first?.connection
    }

    /// Deletes connection `name` of `scope`. - Returns: whether there was one.
    public func delete(_ name: String, in scope: Scope) async throws -> Bool {
        let rows = try await client.tracedQuery(
            """
            WITH deleted AS (
                DELETE FROM oauth_connections WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID)
                    AND name = \(name) RETURNING id, organization_id, name
            )
            SELECT id, pg_notify(\(Self.channel), \(unescaped: OAuthChange.rowPayloadSQL)) FROM deleted
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    // MARK: Under the row's lock

    /// Runs `body` in a transaction holding connection `name`'s row lock, with the row as it stands once the lock is
    /// held. - Throws: `StoreError.notFound`.
    private func withLock<Result: Sendable>(
        named name: String, in scope: Scope, _ body: (LockedOAuthConnection) async throws -> Result
    ) async throws -> Result {
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.tracedQuery(
                """
                SELECT \(unescaped: Self.columns) FROM oauth_connections
                WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID) AND name = \(name) FOR UPDATE
                """,
                logger: logger
            )
            var current: Stored?
            for try await row in rows.decode(Row.self) { current = Self.stored(row) }
            guard let current else { throw StoreError.notFound }
            return try await body(LockedOAuthConnection(store: self, connection: connection, stored: current))
        }
    }

    // MARK: Rows

    typealias Row = (
        UUID, UUID?, String, String, String, String, [String], String?, String?, String?, Bool, String, String?,
        [String]?, Date?, Date?, String?, Int64, Date, Date, ByteBuffer, Int32, String
    )

    /// A row followed by one more Bool: the (null) result of `pg_notify`, or whether its organisation is active.
    typealias RowAndFlag = (
        UUID, UUID?, String, String, String, String, [String], String?, String?, String?, Bool, String, String?,
        [String]?, Date?, Date?, String?, Int64, Date, Date, ByteBuffer, Int32, String, Bool
    )

    static let columns = """
        id, organization_id, name, provider, flow, client_id, scopes, tenant, authorize_url, token_url,
        shared_with_organizations, status, token_type, granted_scopes, expires_at, last_refresh_at, last_error,
        generation, created_at, updated_at, sealed, data_key_version, tenancy
        """

    /// A row with its sealed credentials, as read.
    struct Stored: Sendable {
        var connection: OAuthConnection
        var sealed: SealedValue
    }

    static func connection(_ row: Row) -> OAuthConnection { stored(row).connection }

    static func connection(_ row: RowAndFlag) -> OAuthConnection { split(row).stored.connection }

    /// The row and the Bool after it.
    static func split(_ row: RowAndFlag) -> (stored: Stored, flag: Bool) {
        let stored = stored(
            (
                row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11, row.12, row.13,
                row.14, row.15, row.16, row.17, row.18, row.19, row.20, row.21, row.22
            ))
        return (stored, row.23)
    }

    static func stored(_ row: Row) -> Stored {
        let (
            id, organization, name, provider, flow, clientID, scopes, tenant, authorize, token, shared, status,
            tokenType, granted, expires, refreshed, error, generation, created, updated, sealed, version, tenancy
        ) = row
        return Stored(
            connection: OAuthConnection(
                id: id, organizationID: organization, name: name, provider: provider,
                flow: OAuthConnection.Flow(rawValue: flow) ?? .authorizationCode, clientID: clientID, scopes: scopes,
                tenant: tenant, tenancy: OAuthConnection.Tenancy(rawValue: tenancy) ?? .single, authorizeURL: authorize,
                tokenURL: token, sharedWithOrganizations: shared,
                status: OAuthConnection.Status(rawValue: status) ?? .failed, tokenType: tokenType,
                grantedScopes: granted, expiresAt: expires, lastRefreshAt: refreshed, lastError: error,
                generation: generation, createdAt: created, updatedAt: updated
            ),
            sealed: SealedValue(
                owner: organization.map(Scope.organization) ?? .global, sealed: Array(sealed.readableBytesView),
                version: Int(version)
            )
        )
    }

    private func select(_ condition: PostgresQuery) async throws -> [Stored] {
        var query = PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM oauth_connections ")
        query.sql += condition.sql
        query.binds = condition.binds
        let rows = try await client.tracedQuery(query, logger: logger)
        var found: [Stored] = []
        for try await row in rows.decode(Row.self) { found.append(Self.stored(row)) }
        return found
    }

    func seal(_ credentials: OAuthCredentials, name: String, scope: Scope) async throws -> (
        sealed: [UInt8], version: Int
    ) {
        let text = String(decoding: try JSONEncoder().encode(credentials), as: UTF8.self)
        return try await keys.seal(text, kind: "oauth", name: name, for: scope)
    }

    func open(_ stored: Stored) async throws -> OAuthCredentials {
        let text = try await keys.open(
            stored.sealed.sealed, kind: "oauth", name: stored.connection.name, of: stored.sealed.owner,
            version: stored.sealed.version
        )
        return try JSONDecoder().decode(OAuthCredentials.self, from: Data(text.utf8))
    }
}
