public import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The writes of tokens: a refresh under its lease (`OAuthRefreshLease`), the refresh-ahead service's claims, and
/// an authorization's first tokens. Each write notifies every replica when it commits.
extension PostgresOAuthConnectionRepository {
    /// Takes connection `id`'s lease for `duration` unless another holds it.
    public func takeLease(_ id: UUID, for duration: Duration) async throws -> OAuthLeaseAttempt {
        let holder = UUID()
        let rows = try await client.tracedQuery(
            """
            WITH taken AS (
                UPDATE oauth_connections SET refresh_holder = \(holder),
                    refresh_until = now() + make_interval(secs => \(Double(duration.components.seconds)))
                WHERE id = \(id) AND (refresh_until IS NULL OR refresh_until <= now())
                RETURNING *
            )
            SELECT \(unescaped: Self.columns),
                coalesce((SELECT is_active FROM organizations o WHERE o.id = taken.organization_id), true)
            FROM taken
            """,
            logger: logger
        )
        for try await row in rows.decode(RowAndFlag.self) { return .taken(Self.lease(row, holder: holder)) }
        let held = try await client.tracedQuery("SELECT true FROM oauth_connections WHERE id = \(id)", logger: logger)
        for try await _ in held.decode(Bool.self) { return .held }
        return .missing
    }

    /// Takes the leases of up to `limit` connected connections of `provider` whose token expires before `deadline`
    /// (the soonest first), skipping rows another replica is claiming, connections of deactivated organisations
    /// and those in `excluded` (tried already): what the refresh-ahead service refreshes next.
    public func leaseExpiring(
        provider: String, before deadline: Date, limit: Int, for duration: Duration, excluding excluded: [UUID] = []
    ) async throws -> [OAuthRefreshLease] {
        let holder = UUID()
        let rows = try await client.tracedQuery(
            """
            WITH due AS (
                SELECT c.id FROM oauth_connections c
                WHERE c.status = 'connected' AND c.provider = \(provider) AND c.expires_at < \(deadline)
                    AND (c.refresh_until IS NULL OR c.refresh_until <= now()) AND c.id <> ALL(\(excluded)::uuid[])
                    AND (c.organization_id IS NULL
                        OR c.organization_id IN (SELECT id FROM organizations WHERE is_active))
                ORDER BY c.expires_at LIMIT \(limit) FOR UPDATE OF c SKIP LOCKED
            ), taken AS (
                UPDATE oauth_connections SET refresh_holder = \(holder),
                    refresh_until = now() + make_interval(secs => \(Double(duration.components.seconds)))
                WHERE id IN (SELECT id FROM due) RETURNING *
            )
            SELECT \(unescaped: Self.columns), true FROM taken ORDER BY expires_at
            """,
            logger: logger
        )
        var leases: [OAuthRefreshLease] = []
        for try await row in rows.decode(RowAndFlag.self) { leases.append(Self.lease(row, holder: holder)) }
        return leases
    }

    /// The providers with connected connections whose token expires before `deadline`.
    public func providersExpiring(before deadline: Date) async throws -> [String] {
        let rows = try await client.tracedQuery(
            """
            SELECT DISTINCT provider FROM oauth_connections WHERE status = 'connected' AND expires_at < \(deadline)
            ORDER BY provider
            """,
            logger: logger
        )
        var providers: [String] = []
        for try await provider in rows.decode(String.self) { providers.append(provider) }
        return providers
    }

    /// The client secret and tokens as the lease found them.
    public func credentials(_ lease: OAuthRefreshLease) async throws -> OAuthCredentials {
        try await open(lease.stored)
    }

    /// The row and its credentials as committed now, without a lease.
    public func current(_ id: UUID) async throws -> (
        connection: OAuthConnection, credentials: OAuthCredentials, organizationIsActive: Bool
    )? {
        let rows = try await client.tracedQuery(
            """
            SELECT \(unescaped: Self.columns),
                coalesce((SELECT is_active FROM organizations o WHERE o.id = c.organization_id), true)
            FROM oauth_connections c WHERE id = \(id)
            """,
            logger: logger
        )
        for try await row in rows.decode(RowAndFlag.self) {
            let (stored, organizationIsActive) = Self.split(row)
            return (stored.connection, try await open(stored), organizationIsActive)
        }
        return nil
    }

    /// Stores new tokens (keeping the refresh token when the provider sent none), marks the connection connected
    /// and releases the lease. - Returns: the connection as stored; nil when the lease lapsed or the connection
    /// changed meanwhile (the tokens are then dropped).
    public func store(_ tokens: IssuedTokens, under lease: OAuthRefreshLease) async throws -> OAuthConnection? {
        var credentials = try await credentials(lease)
        credentials.accessToken = tokens.accessToken
        if let refreshToken = tokens.refreshToken { credentials.refreshToken = refreshToken }
        let current = lease.connection
        let (sealed, version) = try await seal(
            credentials, name: current.name, scope: current.organizationID.map(Scope.organization) ?? .global)
        return try await updated(
            """
            WITH updated AS (
                UPDATE oauth_connections SET sealed = \(ByteBuffer(bytes: sealed)), data_key_version = \(version),
                    status = 'connected', token_type = \(tokens.tokenType), granted_scopes = \(tokens.scopes),
                    expires_at = \(tokens.expiresAt), last_refresh_at = now(), last_error = NULL,
                    generation = generation + 1, updated_at = now(), refresh_holder = NULL, refresh_until = NULL
                WHERE id = \(current.id) AND refresh_holder = \(lease.holder) AND generation = \(current.generation)
                RETURNING *
            )
            SELECT \(unescaped: Self.columns), pg_notify(\(Self.channel), id::text) IS NULL FROM updated
            """
        )
    }

    /// Marks the connection as needing an admin to connect again, saying why, and releases the lease.
    /// - Returns: nil when the lease lapsed or the connection changed meanwhile.
    public func markNeedsReauth(_ reason: String, under lease: OAuthRefreshLease) async throws -> OAuthConnection? {
        let current = lease.connection
        return try await updated(
            """
            WITH updated AS (
                UPDATE oauth_connections SET status = 'needs_reauth', last_error = \(reason), updated_at = now(),
                    refresh_holder = NULL, refresh_until = NULL
                WHERE id = \(current.id) AND refresh_holder = \(lease.holder) AND generation = \(current.generation)
                RETURNING *
            )
            SELECT \(unescaped: Self.columns), pg_notify(\(Self.channel), id::text) IS NULL FROM updated
            """
        )
    }

    /// Records a failed attempt that leaves the status as it is (a provider outage, say), and releases the lease.
    @discardableResult
    public func recordError(_ reason: String, under lease: OAuthRefreshLease) async throws -> OAuthConnection? {
        let current = lease.connection
        return try await updated(
            """
            WITH updated AS (
                UPDATE oauth_connections SET last_error = \(reason), updated_at = now(), refresh_holder = NULL,
                    refresh_until = NULL
                WHERE id = \(current.id) AND refresh_holder = \(lease.holder) AND generation = \(current.generation)
                RETURNING *
            )
            SELECT \(unescaped: Self.columns), pg_notify(\(Self.channel), id::text) IS NULL FROM updated
            """
        )
    }

    /// Gives the lease back without writing anything else.
    public func release(_ lease: OAuthRefreshLease) async throws {
        try await client.tracedQuery(
            """
            UPDATE oauth_connections SET refresh_holder = NULL, refresh_until = NULL
            WHERE id = \(lease.connection.id) AND refresh_holder = \(lease.holder)
            """,
            logger: logger
        )
    }

    /// Stores the first (or new) tokens an authorization code was exchanged for, and marks the connection connected:
    /// an admin's action, so it wins over a refresh in progress (whose result is then dropped). The row is re-read
    /// if another write changed it between reading and writing (its client secret, say).
    /// - Returns: the connection as stored. - Throws: `StoreError.notFound`.
    public func storeAuthorized(_ tokens: IssuedTokens, for id: UUID) async throws -> OAuthConnection {
        for _ in 0..<5 {
            guard let (current, stored, _) = try await current(id) else { throw StoreError.notFound }
            var credentials = stored
            credentials.accessToken = tokens.accessToken
            if let refreshToken = tokens.refreshToken { credentials.refreshToken = refreshToken }
            let (sealed, version) = try await seal(
                credentials, name: current.name, scope: current.organizationID.map(Scope.organization) ?? .global)
            let written = try await updated(
                """
                WITH updated AS (
                    UPDATE oauth_connections SET sealed = \(ByteBuffer(bytes: sealed)), data_key_version = \(version),
                        status = 'connected', token_type = \(tokens.tokenType), granted_scopes = \(tokens.scopes),
                        expires_at = \(tokens.expiresAt), last_refresh_at = now(), last_error = NULL,
                        generation = generation + 1, updated_at = now()
                    WHERE id = \(id) AND generation = \(current.generation)
                    RETURNING *
                )
                SELECT \(unescaped: Self.columns), pg_notify(\(Self.channel), id::text) IS NULL FROM updated
                """
            )
            if let written {
                // The partner's new authorization may reach the customer tenants that refused the old one.
                try await client.tracedQuery(
                    """
                    UPDATE oauth_tenant_tokens SET status = 'not_connected', last_error = NULL,
                        generation = generation + 1, updated_at = now()
                    WHERE connection_id = \(id) AND status = 'needs_reauth' AND consent <> 'refused'
                    """,
                    logger: logger
                )
                return written
            }
        }
        throw StoreError.conflict("generation")
    }

    /// The row a conditional update under a lease returned; nil when the condition no longer held.
    private func updated(_ query: PostgresQuery) async throws -> OAuthConnection? {
        let rows = try await client.tracedQuery(query, logger: logger)
        for try await row in rows.decode(RowAndFlag.self) { return Self.connection(row) }
        return nil
    }

    /// A lease on `row` (a row followed by whether its organisation is active).
    private static func lease(_ row: RowAndFlag, holder: UUID) -> OAuthRefreshLease {
        let (stored, organizationIsActive) = split(row)
        return OAuthRefreshLease(holder: holder, organizationIsActive: organizationIsActive, stored: stored)
    }
}
