import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// Secrets on PostgreSQL, sealed with their scope's data key (`KeyRing`). Values go in and, for runs, come out;
/// listings carry names and metadata only. Every change notifies `channel` with the secret's name.
public struct PostgresSecretRepository: Sendable {
    /// The channel on which every replica hears of a secret set or deleted (payload: its name).
    public static let channel = "bifrost_secrets"

    private let client: PostgresClient
    private let keys: KeyRing
    private let logger: Logger

    public init(client: PostgresClient, keys: KeyRing, logger: Logger) {
        self.client = client
        self.keys = keys
        self.logger = logger
    }

    /// Whether `name` may name a secret: letters, digits, `_`, `.`, `-`, at most 100.
    public static func isValidName(_ name: String) -> Bool {
        (1...100).contains(name.count)
            && name.utf8.allSatisfy {
                $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
            }
    }

    /// Sets secret `name` of `scope` to `value`. - Returns: whether it was created (false: replaced).
    @discardableResult
    public func put(_ name: String, value: String, description: String?, in scope: Scope, by actor: String) async throws
        -> Bool
    {
        let (sealed, version) = try await keys.seal(value, kind: "secret", name: name, for: scope)
        let rows = try await client.tracedQuery(
            """
            WITH saved AS (
            INSERT INTO secrets (organization_id, name, description, sealed, data_key_version, created_by, updated_by)
            VALUES (\(scope.organizationID), \(name), \(description), \(ByteBuffer(bytes: sealed)), \(version), \(actor), \(actor))
            ON CONFLICT (coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), name) DO UPDATE SET
                description = coalesce(excluded.description, secrets.description), sealed = excluded.sealed,
                data_key_version = excluded.data_key_version, updated_at = now(), updated_by = excluded.updated_by
            RETURNING name, (xmax = 0) AS created
            )
            SELECT created, pg_notify(\(Self.channel), name) IS NULL FROM saved
            """,
            logger: logger
        )
        for try await (created, _) in rows.decode((Bool, Bool).self) { return created }
        return false
    }

    /// Deletes secret `name` of `scope`. - Returns: whether there was one.
    public func delete(_ name: String, in scope: Scope) async throws -> Bool {
        try await client.deleteNamedRow(
            name, column: "name", from: "secrets", in: scope, notifying: Self.channel, logger: logger)
    }

    /// The secrets of `scope`, by name, without their values.
    public func list(in scope: Scope) async throws -> [SecretMetadata] {
        let rows = try await client.tracedQuery(
            """
            SELECT name, description, created_at, created_by, updated_at, updated_by FROM secrets
            WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID) ORDER BY name
            """,
            logger: logger
        )
        var secrets: [SecretMetadata] = []
        for try await (name, description, created, createdBy, updated, updatedBy) in rows.decode(
            (String, String?, Date, String, Date, String).self
        ) {
            secrets.append(
                SecretMetadata(
                    name: name, description: description, createdAt: created, createdBy: createdBy, updatedAt: updated,
                    updatedBy: updatedBy
                ))
        }
        return secrets
    }

    /// The value of secret `name` for a run in `scope`: the organisation's, else the global one, else nil.
    public func value(_ name: String, for scope: Scope) async throws -> String? {
        guard let sealed = try await sealed(name, for: scope) else { return nil }
        return try await open(sealed, name: name)
    }

    /// Secret `name` for a run in `scope` as stored (the organisation's, else the global one, else nil), for a
    /// cache that keeps no value in the clear; `open(_:name:)` reveals it.
    public func sealed(_ name: String, for scope: Scope) async throws -> SealedValue? {
        let rows = try await client.tracedQuery(
            """
            SELECT organization_id, sealed, data_key_version FROM secrets
            WHERE coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)
                IN ('00000000-0000-0000-0000-000000000000'::uuid, \(scope.organizationID))
                AND name = \(name)
            ORDER BY organization_id NULLS LAST LIMIT 1
            """,
            logger: logger
        )
        for try await (organization, sealed, version) in rows.decode((UUID?, ByteBuffer, Int32).self) {
            return SealedValue(
                owner: organization.map(Scope.organization) ?? .global, sealed: Array(sealed.readableBytesView),
                version: Int(version)
            )
        }
        return nil
    }

    /// The value of secret `name` that `sealed` holds.
    public func open(_ sealed: SealedValue, name: String) async throws -> String {
        try await keys.open(sealed.sealed, kind: "secret", name: name, of: sealed.owner, version: sealed.version)
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
