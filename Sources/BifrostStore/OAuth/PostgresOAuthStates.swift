import BifrostCrypto
public import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// Authorization requests in flight: a random `state` (stored only as its SHA-256), single-use, expiring, bound to
/// the connection (and so its organisation) and to who started it, with the PKCE verifier sealed beside it.
public struct PostgresOAuthStates: Sendable {
    /// A state as redeemed by the callback.
    public struct Redeemed: Sendable, Hashable {
        public var connectionID: UUID
        public var organizationID: UUID?
        public var startedBy: String
        public var verifier: String
        public var isExpired: Bool
    }

    private let client: PostgresClient
    private let keys: KeyRing
    private let logger: Logger

    public init(client: PostgresClient, keys: KeyRing, logger: Logger) {
        self.client = client
        self.keys = keys
        self.logger = logger
    }

    /// Starts an authorization request for `connection`. - Returns: the state and the PKCE code verifier.
    public func begin(for connection: OAuthConnection, by actor: String, lifetime: Duration = .seconds(600)) async throws
        -> (state: String, verifier: String)
    {
        let state = Base64.urlSafe(SecureRandom.bytes(32))
        let verifier = Base64.urlSafe(SecureRandom.bytes(32))
        let scope: Scope = connection.organizationID.map(Scope.organization) ?? .global
        let (sealed, version) = try await keys.seal(verifier, kind: "oauth-state", name: connection.name, for: scope)
        try await client.query(
            "DELETE FROM oauth_states WHERE expires_at < now() - interval '1 day'", logger: logger
        )
        try await client.query(
            """
            INSERT INTO oauth_states (state_hash, connection_id, organization_id, started_by, sealed_verifier,
                data_key_version, expires_at)
            VALUES (\(ByteBuffer(bytes: SHA256Digest.hash(Array(state.utf8)))), \(connection.id),
                \(connection.organizationID), \(actor), \(ByteBuffer(bytes: sealed)), \(version),
                now() + make_interval(secs => \(Double(lifetime.components.seconds))))
            """,
            logger: logger
        )
        return (state, verifier)
    }

    /// Redeems `state` once: nil when it is unknown or already used; an expired one is returned marked so.
    public func redeem(_ state: String) async throws -> Redeemed? {
        let rows = try await client.query(
            """
            DELETE FROM oauth_states AS s USING oauth_connections AS c
            WHERE s.state_hash = \(ByteBuffer(bytes: SHA256Digest.hash(Array(state.utf8)))) AND c.id = s.connection_id
            RETURNING s.connection_id, s.organization_id, s.started_by, c.name, s.sealed_verifier, s.data_key_version,
                s.expires_at < now()
            """,
            logger: logger
        )
        for try await (connection, organization, startedBy, name, sealed, version, expired) in rows.decode(
            (UUID, UUID?, String, String, ByteBuffer, Int32, Bool).self
        ) {
            let verifier = try await keys.open(
                sealed.readableBytesView, kind: "oauth-state", name: name,
                of: organization.map(Scope.organization) ?? .global, version: Int(version)
            )
            return Redeemed(
                connectionID: connection, organizationID: organization, startedBy: startedBy, verifier: verifier,
                isExpired: expired
            )
        }
        return nil
    }
}
