import BifrostCrypto
public import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// Authorization requests in flight: a random `state` (stored only as its SHA-256), single-use, expiring, bound to
/// the connection (and so its organisation) and to who started it — their principal, and a random binding value
/// (stored only as its SHA-256) that their browser keeps in a cookie — with the PKCE verifier sealed beside it.
public struct PostgresOAuthStateRepository: Sendable {
    /// Who started an authorization.
    public struct Starter: Sendable, Hashable {
        /// `user` or `api_key`.
        public var kind: String
        /// The user's or the API key's id.
        public var id: UUID
        /// Their email, or the key's name: for the audit log.
        public var label: String

        public init(kind: String, id: UUID, label: String) {
            self.kind = kind
            self.id = id
            self.label = label
        }
    }

    /// A request just started: what goes into the provider's address, and what the starter's browser keeps.
    public struct Started: Sendable, Hashable {
        /// The `state` parameter.
        public var state: String
        /// The PKCE code verifier.
        public var verifier: String
        /// The value the starter's browser must bring back to the callback (in a cookie).
        public var binding: String
    }

    /// A state as redeemed by the callback.
    public struct Redeemed: Sendable, Hashable {
        public var connectionID: UUID
        public var organizationID: UUID?
        public var startedBy: Starter
        public var verifier: String
        public var isExpired: Bool
        /// The customer tenant an admin-consent request asked; nil for an authorization request.
        public var consentTenant: String?
        /// SHA-256 of the binding value the starter's browser holds.
        var bindingHash: [UInt8]

        /// Whether `binding` is the value handed to the starter (compared in constant time).
        public func isBound(to binding: String) -> Bool {
            ConstantTime.equals(SHA256Digest.hash(Array(binding.utf8)), bindingHash)
        }
    }

    private let client: PostgresClient
    private let keys: KeyRing
    private let logger: Logger

    public init(client: PostgresClient, keys: KeyRing, logger: Logger) {
        self.client = client
        self.keys = keys
        self.logger = logger
    }

    /// Starts an authorization request for `connection` by `starter`, or with `consentTenant` an admin-consent
    /// request to that customer tenant. - Returns: the state, the PKCE code verifier and the binding value.
    public func begin(
        for connection: OAuthConnection, by starter: Starter, lifetime: Duration = .seconds(600),
        consentTenant: String? = nil
    ) async throws -> Started {
        let state = Base64.urlSafe(SecureRandom.bytes(32))
        let verifier = Base64.urlSafe(SecureRandom.bytes(32))
        let binding = Base64.urlSafe(SecureRandom.bytes(32))
        let scope: Scope = connection.organizationID.map(Scope.organization) ?? .global
        let (sealed, version) = try await keys.seal(verifier, kind: "oauth-state", name: connection.name, for: scope)
        try await client.tracedQuery(
            "DELETE FROM oauth_states WHERE expires_at < now() - interval '1 day'", logger: logger
        )
        try await client.tracedQuery(
            """
            INSERT INTO oauth_states (state_hash, connection_id, organization_id, started_by, started_by_kind,
                started_by_id, binding_hash, sealed_verifier, data_key_version, expires_at, consent_tenant)
            VALUES (\(ByteBuffer(bytes: SHA256Digest.hash(Array(state.utf8)))), \(connection.id),
                \(connection.organizationID), \(starter.label), \(starter.kind), \(starter.id),
                \(ByteBuffer(bytes: SHA256Digest.hash(Array(binding.utf8)))), \(ByteBuffer(bytes: sealed)), \(version),
                now() + make_interval(secs => \(Double(lifetime.components.seconds))), \(consentTenant))
            """,
            logger: logger
        )
        return Started(state: state, verifier: verifier, binding: binding)
    }

    /// Redeems `state` once: nil when it is unknown or already used; an expired one is returned marked so.
    public func redeem(_ state: String) async throws -> Redeemed? {
        let rows = try await client.tracedQuery(
            """
            DELETE FROM oauth_states AS s USING oauth_connections AS c
            WHERE s.state_hash = \(ByteBuffer(bytes: SHA256Digest.hash(Array(state.utf8)))) AND c.id = s.connection_id
            RETURNING s.connection_id, s.organization_id, s.started_by, s.started_by_kind, s.started_by_id,
                s.binding_hash, c.name, s.sealed_verifier, s.data_key_version, s.expires_at < now(), s.consent_tenant
            """,
            logger: logger
        )
        for try await (
            connection, organization, label, kind, starterID, bindingHash, name, sealed, version, expired, tenant
        ) in rows.decode((UUID, UUID?, String, String, UUID, ByteBuffer, String, ByteBuffer, Int32, Bool, String?).self)
        {
            let verifier = try await keys.open(
                sealed.readableBytesView, kind: "oauth-state", name: name,
                of: organization.map(Scope.organization) ?? .global, version: Int(version)
            )
            return Redeemed(
                connectionID: connection, organizationID: organization,
                startedBy: Starter(kind: kind, id: starterID, label: label), verifier: verifier, isExpired: expired,
                consentTenant: tenant, bindingHash: Array(bindingHash.readableBytesView)
            )
        }
        return nil
    }
}
