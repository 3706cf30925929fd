import Foundation
import Logging
import NIOCore
public import PostgresNIO

/// A connection while its advisory lock is held (`PostgresOAuthConnectionRepository.withLock`): what is stored now, and the
/// writes of a refresh, all in the lock's transaction, so a rotated refresh token is stored with its access token
/// or not at all. Each write notifies the other replicas when the transaction commits.
public struct LockedOAuthConnection: Sendable {
    let store: PostgresOAuthConnectionRepository
    /// The transaction's connection.
    public let connection: PostgresConnection
    let stored: PostgresOAuthConnectionRepository.Stored
    /// Whether the connection's organisation is active (always true for a global connection): a deactivated
    /// organisation's tokens are neither refreshed nor handed out.
    public let organizationIsActive: Bool

    init(
        store: PostgresOAuthConnectionRepository, connection: PostgresConnection,
        current: PostgresOAuthConnectionRepository.Stored,
        organizationIsActive: Bool
    ) {
        self.store = store
        self.connection = connection
        self.stored = current
        self.organizationIsActive = organizationIsActive
    }

    /// The connection as stored once the lock was taken.
    public var current: OAuthConnection { stored.connection }

    /// Its client secret and tokens.
    public func credentials() async throws -> OAuthCredentials { try await store.open(stored) }

    /// The row as committed now (another writer that does not take the lock, such as a callback, may have changed
    /// it since the lock was taken).
    public func reread() async throws -> (connection: OAuthConnection, credentials: OAuthCredentials)? {
        guard
            let fresh = try await PostgresOAuthConnectionRepository.read(
                current.id, on: connection, logger: store.logger)
        else {
            return nil
        }
        return (fresh.connection, try await store.open(fresh))
    }

    /// Stores new tokens (keeping the refresh token when the provider sent none) and marks the connection connected.
    /// - Returns: the connection as stored.
    @discardableResult
    public func store(_ tokens: IssuedTokens) async throws -> OAuthConnection {
        var credentials = try await credentials()
        credentials.accessToken = tokens.accessToken
        if let refreshToken = tokens.refreshToken { credentials.refreshToken = refreshToken }
        let scope: Scope = current.organizationID.map(Scope.organization) ?? .global
        let (sealed, version) = try await store.seal(credentials, name: current.name, scope: scope)
        return try await update(
            """
            UPDATE oauth_connections SET sealed = \(ByteBuffer(bytes: sealed)), data_key_version = \(version),
                status = 'connected', token_type = \(tokens.tokenType), granted_scopes = \(tokens.scopes),
                expires_at = \(tokens.expiresAt), last_refresh_at = now(), last_error = NULL,
                generation = generation + 1, updated_at = now()
            WHERE id = \(current.id)
            RETURNING \(unescaped: PostgresOAuthConnectionRepository.columns)
            """
        )
    }

    /// Marks the connection as needing an admin to connect again, saying why.
    @discardableResult
    public func markNeedsReauth(_ reason: String) async throws -> OAuthConnection {
        try await update(
            """
            UPDATE oauth_connections SET status = 'needs_reauth', last_error = \(reason), updated_at = now()
            WHERE id = \(current.id) RETURNING \(unescaped: PostgresOAuthConnectionRepository.columns)
            """
        )
    }

    /// Records a failed attempt that leaves the status as it is (a provider outage, say).
    @discardableResult
    public func recordError(_ reason: String) async throws -> OAuthConnection {
        try await update(
            """
            UPDATE oauth_connections SET last_error = \(reason), updated_at = now()
            WHERE id = \(current.id) RETURNING \(unescaped: PostgresOAuthConnectionRepository.columns)
            """
        )
    }

    private func update(_ query: PostgresQuery) async throws -> OAuthConnection {
        let rows = try await connection.query(query, logger: store.logger)
        var updated: OAuthConnection?
        for try await row in rows.decode(PostgresOAuthConnectionRepository.Row.self) {
            updated = PostgresOAuthConnectionRepository.connection(row)
        }
        guard let updated else { throw StoreError.notFound }
        try await notify(.tokens(connectionID: current.id))
        return updated
    }

    /// Tells every replica, when the transaction commits, what changed.
    func notify(_ change: OAuthChange) async throws {
        try await connection.query(
            "SELECT pg_notify(\(PostgresOAuthConnectionRepository.channel), \(change.payload))", logger: store.logger
        )
    }
}
