public import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// The customer tenants of `per_organization` connections (`oauth_tenant_tokens`): consent as recorded, each
/// tenant's token sealed under the connection's scope key, and its refresh lease. A refresh is short statements
/// around the provider call, as for a connection's own token: take the lease, ask holding nothing, store and
/// release in one conditional `UPDATE`.
public struct PostgresOAuthTenantTokenRepository: Sendable {
    let client: PostgresClient
    let keys: KeyRing
    let logger: Logger

    public init(client: PostgresClient, keys: KeyRing, logger: Logger) {
        self.client = client
        self.keys = keys
        self.logger = logger
    }

    /// Organisation `id`'s Entra tenant (nil when it has none) and whether it is active; nil when there is no such
    /// organisation.
    public func entraTenant(of id: UUID) async throws -> (tenant: String?, isActive: Bool)? {
        let rows = try await client.tracedQuery(
            "SELECT entra_tenant_id::text, is_active FROM organizations WHERE id = \(id)", logger: logger
        )
        for try await (tenant, active) in rows.decode((String?, Bool).self) { return (tenant, active) }
        return nil
    }

    /// Tenant `tenant` of connection `connection` and its access token; nil when the gateway never asked for one.
    public func find(connection: UUID, tenant: String) async throws -> (token: OAuthTenantToken, accessToken: String?)?
    {
        let rows = try await client.tracedQuery(
            "SELECT \(unescaped: Self.columns) FROM oauth_tenant_tokens WHERE connection_id = \(connection) AND tenant = \(tenant)",
            logger: logger
        )
        for try await row in rows.decode(Row.self) {
            let (token, sealed, name) = Self.token(row)
            guard let sealed else { return (token, nil) }
            return (token, try await open(sealed, name: name))
        }
        return nil
    }

    /// Takes the lease of `connection`'s tenant `tenant` (making its row if there is none) unless another holds it.
    /// - Throws: `StoreError.notFound` when the connection no longer exists.
    public func takeLease(of connection: OAuthConnection, tenant: String, for duration: Duration) async throws
        -> OAuthTenantLeaseAttempt
    {
        let holder = UUID()
        do {
            let rows = try await client.tracedQuery(
                """
                INSERT INTO oauth_tenant_tokens AS t (connection_id, tenant, organization_id, refresh_holder,
                    refresh_until)
                VALUES (\(connection.id), \(tenant), \(connection.organizationID), \(holder),
                    now() + make_interval(secs => \(Double(duration.components.seconds))))
                ON CONFLICT (connection_id, tenant) DO UPDATE SET refresh_holder = excluded.refresh_holder,
                    refresh_until = excluded.refresh_until
                WHERE t.refresh_until IS NULL OR t.refresh_until <= now()
                RETURNING \(unescaped: Self.columns)
                """,
                logger: logger
            )
            for try await row in rows.decode(Row.self) { return .taken(Self.lease(row, holder: holder)) }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
            throw StoreError.notFound
        }
        return .held
    }

    /// Takes the leases of up to `limit` connected tenants whose token expires before `deadline` (the soonest
    /// first, skipping rows another replica is claiming, tenants no active organisation has any more, and
    /// connections that are not `per_organization` or belong to a deactivated organisation).
    public func leaseExpiring(before deadline: Date, limit: Int, for duration: Duration, excluding excluded: [String])
        async throws -> [(connection: UUID, lease: OAuthTenantLease)]
    {
        let holder = UUID()
        let rows = try await client.tracedQuery(
            """
            WITH due AS (
                SELECT t.connection_id, t.tenant FROM oauth_tenant_tokens t
                JOIN oauth_connections c ON c.id = t.connection_id AND c.tenancy = 'per_organization'
                WHERE t.status = 'connected' AND t.expires_at < \(deadline)
                    AND (t.refresh_until IS NULL OR t.refresh_until <= now()) AND t.name <> ALL(\(excluded)::text[])
                    AND (c.organization_id IS NULL
                        OR c.organization_id IN (SELECT id FROM organizations WHERE is_active))
                    AND EXISTS (SELECT 1 FROM organizations o WHERE o.entra_tenant_id::text = t.tenant AND o.is_active)
                ORDER BY t.expires_at LIMIT \(limit) FOR UPDATE OF t SKIP LOCKED
            )
            UPDATE oauth_tenant_tokens t SET refresh_holder = \(holder),
                refresh_until = now() + make_interval(secs => \(Double(duration.components.seconds)))
            FROM due WHERE t.connection_id = due.connection_id AND t.tenant = due.tenant
            RETURNING \(unescaped: Self.qualifiedColumns)
            """,
            logger: logger
        )
        var leases: [(UUID, OAuthTenantLease)] = []
        for try await row in rows.decode(Row.self) {
            let lease = Self.lease(row, holder: holder)
            leases.append((lease.token.connectionID, lease))
        }
        return leases
    }

    /// The access token as the lease found it.
    public func accessToken(_ lease: OAuthTenantLease) async throws -> String? {
        guard let sealed = lease.sealed else { return nil }
        return try await open(sealed, name: lease.name)
    }

    /// Stores the tenant's new token, marks it connected and releases the lease. - Returns: the row as stored;
    /// nil when the lease lapsed or the row changed meanwhile (consent recorded, say): the token is dropped.
    public func store(_ issued: IssuedTokens, under lease: OAuthTenantLease) async throws -> OAuthTenantToken? {
        let (sealed, version) = try await keys.seal(
            issued.accessToken, kind: Self.kind, name: lease.name, for: lease.owner)
        return try await updated(
            """
            UPDATE oauth_tenant_tokens SET sealed = \(ByteBuffer(bytes: sealed)), data_key_version = \(version),
                status = 'connected', token_type = \(issued.tokenType), expires_at = \(issued.expiresAt),
                last_refresh_at = now(), last_error = NULL, generation = generation + 1, updated_at = now(),
                refresh_holder = NULL, refresh_until = NULL
            """, under: lease
        )
    }

    /// Marks the tenant as refused (its token endpoint refused the grant or the client) and releases the lease.
    /// When `consentMissing`, the recorded consent becomes `refused` too. - Returns: nil when the lease lapsed.
    public func markNeedsReauth(_ reason: String, consentMissing: Bool, under lease: OAuthTenantLease) async throws
        -> OAuthTenantToken?
    {
        try await updated(
            """
            UPDATE oauth_tenant_tokens SET status = 'needs_reauth', last_error = \(reason), sealed = NULL,
                data_key_version = NULL, expires_at = NULL, generation = generation + 1, updated_at = now(),
                consent = CASE WHEN \(consentMissing) THEN 'refused' ELSE consent END,
                consent_error = CASE WHEN \(consentMissing) THEN \(reason) ELSE consent_error END,
                refresh_holder = NULL, refresh_until = NULL
            """, under: lease
        )
    }

    /// Records a failed attempt that leaves the status as it is (an outage), and releases the lease.
    @discardableResult
    public func recordError(_ reason: String, under lease: OAuthTenantLease) async throws -> OAuthTenantToken? {
        try await updated(
            """
            UPDATE oauth_tenant_tokens SET last_error = \(reason), updated_at = now(), refresh_holder = NULL,
                refresh_until = NULL
            """, under: lease
        )
    }

    /// Gives the lease back without writing anything else.
    public func release(_ lease: OAuthTenantLease) async throws {
        try await client.tracedQuery(
            """
            UPDATE oauth_tenant_tokens SET refresh_holder = NULL, refresh_until = NULL
            WHERE connection_id = \(lease.token.connectionID) AND tenant = \(lease.token.tenant)
                AND refresh_holder = \(lease.holder)
            """,
            logger: logger
        )
    }

    /// Records a customer admin's answer to the consent request. Granted, a tenant the provider refused before is
    /// asked again on the next run; refused, its token is dropped and runs fail at once. Every replica forgets
    /// the connection's cached tokens.
    @discardableResult
    public func recordConsent(of connection: OAuthConnection, tenant: String, granted: Bool, error: String?)
        async throws -> OAuthTenantToken
    {
        let consent = granted ? OAuthTenantToken.Consent.granted : .refused
        let rows = try await client.tracedQuery(
            """
            WITH recorded AS (
                INSERT INTO oauth_tenant_tokens AS t (connection_id, tenant, organization_id, consent, consent_error,
                    consent_at)
                VALUES (\(connection.id), \(tenant), \(connection.organizationID), \(consent.rawValue), \(error), now())
                ON CONFLICT (connection_id, tenant) DO UPDATE SET consent = excluded.consent,
                    consent_error = excluded.consent_error, consent_at = excluded.consent_at,
                    status = CASE WHEN \(granted) AND t.status = 'needs_reauth' THEN 'not_connected'
                        WHEN NOT \(granted) THEN 'not_connected' ELSE t.status END,
                    last_error = CASE WHEN \(granted) THEN NULL ELSE t.last_error END,
                    sealed = CASE WHEN \(granted) THEN t.sealed END,
                    data_key_version = CASE WHEN \(granted) THEN t.data_key_version END,
                    expires_at = CASE WHEN \(granted) THEN t.expires_at END,
                    generation = t.generation + 1, updated_at = now()
                RETURNING \(unescaped: Self.qualifiedColumns)
            )
            SELECT \(unescaped: Self.columns), pg_notify(\(PostgresOAuthConnectionRepository.channel), connection_id::text) IS NULL
            FROM recorded
            """,
            logger: logger
        )
        for try await row in rows.decode(RowAndFlag.self) {
            return Self.token(
                (
                    row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11, row.12,
                    row.13, row.14, row.15
                )
            ).token
        }
        throw StoreError.notFound
    }

    /// The organisations `connection` serves that have an Entra tenant (for a global connection, every
    /// organisation; else its own), with their tenant's state, by organisation name.
    public func states(of connection: OAuthConnection) async throws -> [OAuthTenantState] {
        let rows = try await client.tracedQuery(
            """
            SELECT o.id, o.name, o.is_active, o.entra_tenant_id::text, \(unescaped: Self.qualifiedColumns)
            FROM organizations o
            LEFT JOIN oauth_tenant_tokens t ON t.connection_id = \(connection.id) AND t.tenant = o.entra_tenant_id::text
            WHERE o.entra_tenant_id IS NOT NULL
                AND (\(connection.organizationID)::uuid IS NULL OR o.id = \(connection.organizationID))
            ORDER BY lower(o.name), o.id
            """,
            logger: logger
        )
        var states: [OAuthTenantState] = []
        for try await row in rows.decode(StateRow.self) {
            var token: OAuthTenantToken?
            if let connectionID = row.4, let tenant = row.5, let consent = row.6, let status = row.9,
                let generation = row.14, let updated = row.15, let name = row.19
            {
                token =
                    Self.token(
                        (
                            connectionID, tenant, consent, row.7, row.8, status, row.10, row.11, row.12, row.13,
                            generation, updated, row.16, row.17, row.18, name
                        )
                    ).token
            }
            states.append(
                OAuthTenantState(
                    organizationID: row.0, organizationName: row.1, organizationIsActive: row.2, tenant: row.3,
                    token: token))
        }
        return states
    }

    /// Discards what is stored for `connection`'s tenants (its credentials now go elsewhere).
    func deleteAll(of connection: UUID, on connectionToDatabase: PostgresConnection) async throws {
        try await connectionToDatabase.tracedQuery(
            "DELETE FROM oauth_tenant_tokens WHERE connection_id = \(connection)", logger: logger
        )
    }

    // MARK: Rows

    /// What tenant tokens are sealed as (`SealedColumn`).
    static let kind = "oauth-tenant"

    static let columns = """
        connection_id, tenant, consent, consent_error, consent_at, status, token_type, expires_at, last_refresh_at,
        last_error, generation, updated_at, sealed, data_key_version, organization_id, name
        """

    static let qualifiedColumns = columns.split(separator: ",").map {
        "t." + $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }.joined(separator: ", ")

    typealias Row = (
        UUID, String, String, String?, Date?, String, String?, Date?, Date?, String?, Int64, Date, ByteBuffer?, Int32?,
        UUID?, String
    )

    typealias RowAndFlag = (
        UUID, String, String, String?, Date?, String, String?, Date?, Date?, String?, Int64, Date, ByteBuffer?, Int32?,
        UUID?, String, Bool
    )

    /// An organisation (id, name, active, tenant) and its tenant's row, all NULL when there is none.
    typealias StateRow = (
        UUID, String, Bool, String, UUID?, String?, String?, String?, Date?, String?, String?, Date?, Date?, String?,
        Int64?, Date?, ByteBuffer?, Int32?, UUID?, String?
    )

    static func token(_ row: Row) -> (token: OAuthTenantToken, sealed: SealedValue?, name: String) {
        let (
            connection, tenant, consent, consentError, consentAt, status, tokenType, expires, refreshed, error,
            generation, updated, sealed, version, organization, name
        ) = row
        let token = OAuthTenantToken(
            connectionID: connection, tenant: tenant, consent: OAuthTenantToken.Consent(rawValue: consent) ?? .unknown,
            consentError: consentError, consentAt: consentAt,
            status: OAuthTenantToken.Status(rawValue: status) ?? .notConnected, tokenType: tokenType,
            expiresAt: expires, lastRefreshAt: refreshed, lastError: error, generation: generation, updatedAt: updated
        )
        let owner = organization.map(Scope.organization) ?? .global
        let value = sealed.flatMap { sealed in
            version.map { SealedValue(owner: owner, sealed: Array(sealed.readableBytesView), version: Int($0)) }
        }
        return (token, value, name)
    }

    private static func lease(_ row: Row, holder: UUID) -> OAuthTenantLease {
        let (token, sealed, name) = token(row)
        return OAuthTenantLease(
            holder: holder, token: token, sealed: sealed, name: name, owner: row.14.map(Scope.organization) ?? .global
        )
    }

    /// Runs `update` (an `UPDATE oauth_tenant_tokens SET …` without its condition) on the lease's row if the lease
    /// still holds it and nothing changed it since. - Returns: the row as written.
    private func updated(_ update: PostgresQuery, under lease: OAuthTenantLease) async throws -> OAuthTenantToken? {
        var query = update
        query.sql += " WHERE connection_id = $\(query.binds.count + 1) AND tenant = $\(query.binds.count + 2)"
        query.sql += " AND refresh_holder = $\(query.binds.count + 3) AND generation = $\(query.binds.count + 4)"
        query.sql += " RETURNING \(Self.columns)"
        query.binds.append(lease.token.connectionID)
        query.binds.append(lease.token.tenant)
        query.binds.append(lease.holder)
        query.binds.append(lease.token.generation)
        let rows = try await client.tracedQuery(query, logger: logger)
        for try await row in rows.decode(Row.self) { return Self.token(row).token }
        return nil
    }

    private func open(_ sealed: SealedValue, name: String) async throws -> String {
        try await keys.open(sealed.sealed, kind: Self.kind, name: name, of: sealed.owner, version: sealed.version)
    }
}
