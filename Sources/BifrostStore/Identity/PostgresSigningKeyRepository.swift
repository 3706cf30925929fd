public import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// One access-token signing key as stored: its public half in clear, its private half sealed under the global
/// data key (kind `signing-key`, name `kid`).
public struct StoredSigningKey: Sendable, Hashable {
    /// The key id tokens carry in their header.
    public var kid: String
    /// The public key in PEM form.
    public var publicPEM: String
    /// The sealed private key in PEM form.
    public var sealed: [UInt8]
    /// The global data-key version it is sealed under.
    public var dataKeyVersion: Int
    public var createdAt: Date
    /// When a newer key took over signing; nil for the key that signs.
    public var retiredAt: Date?

    public init(
        kid: String, publicPEM: String, sealed: [UInt8], dataKeyVersion: Int, createdAt: Date = Date(),
        retiredAt: Date? = nil
    ) {
        self.kid = kid
        self.publicPEM = publicPEM
        self.sealed = sealed
        self.dataKeyVersion = dataKeyVersion
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }
}

/// The deployment's access-token signing keys in PostgreSQL (`signing_keys`). Exactly one key signs; a unique
/// index makes two replicas that start on an empty database agree on one. Each change is announced on `channel`
/// when it commits, so every replica reloads at once.
public struct PostgresSigningKeyRepository: Sendable {
    /// The channel on which a rotation tells every replica to reload the keys.
    public static let channel = "bifrost_signing_keys"

    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The signing key and every retired key that may still have valid tokens: retired after `retiredSince`.
    public func verifying(retiredSince: Date) async throws -> [StoredSigningKey] {
        let rows = try await client.tracedQuery(
            """
            SELECT kid, public_pem, sealed, data_key_version, created_at, retired_at FROM signing_keys
            WHERE retired_at IS NULL OR retired_at > \(retiredSince) ORDER BY created_at DESC
            """,
            logger: logger
        )
        var keys: [StoredSigningKey] = []
        for try await (kid, publicPEM, sealed, version, created, retired) in rows.decode(
            (String, String, ByteBuffer, Int32, Date, Date?).self)
        {
            keys.append(
                StoredSigningKey(
                    kid: kid, publicPEM: publicPEM, sealed: Array(sealed.readableBytesView),
                    dataKeyVersion: Int(version), createdAt: created, retiredAt: retired
                ))
        }
        return keys
    }

    /// Stores `key` as the signing key if there is none yet. - Returns: false when another replica stored one first.
    public func insertFirst(_ key: StoredSigningKey) async throws -> Bool {
        let rows = try await client.tracedQuery(
            """
            INSERT INTO signing_keys (kid, public_pem, sealed, data_key_version)
            VALUES (\(key.kid), \(key.publicPEM), \(ByteBuffer(bytes: key.sealed)), \(key.dataKeyVersion))
            ON CONFLICT DO NOTHING RETURNING kid
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    /// Makes `key` the signing key in one transaction: the current one is retired now, keys retired before
    /// `deleteRetiredBefore` are deleted, and every replica is told when it commits.
    public func rotate(to key: StoredSigningKey, deleteRetiredBefore: Date) async throws {
        try await client.transaction(logger: logger) { connection in
            try await connection.tracedQuery(
                "UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL", logger: logger)
            try await connection.tracedQuery(
                """
                INSERT INTO signing_keys (kid, public_pem, sealed, data_key_version)
                VALUES (\(key.kid), \(key.publicPEM), \(ByteBuffer(bytes: key.sealed)), \(key.dataKeyVersion))
                """,
                logger: logger
            )
            try await connection.tracedQuery(
                "DELETE FROM signing_keys WHERE retired_at < \(deleteRetiredBefore)", logger: logger)
            try await connection.tracedQuery("SELECT pg_notify(\(Self.channel), \(key.kid))", logger: logger)
        }
    }
}
