public import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// Secrets on PostgreSQL, sealed with their scope's data key (`KeyRing`). Values go in and, for runs, come out;
/// listings carry names and metadata only.
public struct PostgresSecrets: Sendable {
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
            && name.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// Sets secret `name` of `scope` to `value`. - Returns: whether it was created (false: replaced).
    @discardableResult
    public func put(_ name: String, value: String, description: String?, in scope: Scope, by actor: String) async throws
        -> Bool
    {
        let (sealed, version) = try await keys.seal(value, kind: "secret", name: name, for: scope)
        let rows = try await client.query(
            """
            INSERT INTO secrets (organization_id, name, description, sealed, data_key_version, created_by, updated_by)
            VALUES (\(scope.organizationID), \(name), \(description), \(ByteBuffer(bytes: sealed)), \(version), \(actor), \(actor))
            ON CONFLICT (coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), name) DO UPDATE SET
                description = coalesce(excluded.description, secrets.description), sealed = excluded.sealed,
                data_key_version = excluded.data_key_version, updated_at = now(), updated_by = excluded.updated_by
            RETURNING (xmax = 0)
            """,
            logger: logger
        )
        for try await created in rows.decode(Bool.self) { return created }
        return false
    }

    /// Deletes secret `name` of `scope`. - Returns: whether there was one.
    public func delete(_ name: String, in scope: Scope) async throws -> Bool {
        let rows = try await client.query(
            "DELETE FROM secrets WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID) AND name = \(name) RETURNING name",
            logger: logger
        )
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    /// The secrets of `scope`, by name, without their values.
    public func list(in scope: Scope) async throws -> [SecretMetadata] {
        let rows = try await client.query(
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
            secrets.append(SecretMetadata(
                name: name, description: description, createdAt: created, createdBy: createdBy, updatedAt: updated,
                updatedBy: updatedBy
            ))
        }
        return secrets
    }

    /// The value of secret `name` for a run in `scope`: the organisation's, else the global one, else nil.
    public func value(_ name: String, for scope: Scope) async throws -> String? {
        let rows = try await client.query(
            """
            SELECT organization_id, sealed, data_key_version FROM secrets
            WHERE name = \(name) AND (organization_id IS NULL OR organization_id = \(scope.organizationID))
            ORDER BY organization_id NULLS LAST LIMIT 1
            """,
            logger: logger
        )
        for try await (organization, sealed, version) in rows.decode((UUID?, ByteBuffer, Int32).self) {
            let owner: Scope = organization.map(Scope.organization) ?? .global
            return try await keys.open(sealed.readableBytesView, kind: "secret", name: name, of: owner, version: Int(version))
        }
        return nil
    }
}

/// A secret as listings show it: never its value.
public struct SecretMetadata: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var createdAt: Date
    public var createdBy: String
    public var updatedAt: Date
    public var updatedBy: String
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
