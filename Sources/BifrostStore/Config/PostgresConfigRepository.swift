public import Bifrost
public import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// Configuration values on PostgreSQL, per organisation with global fallback. A `secret` value is sealed under
/// its scope's data key and never listed; the others are stored as JSON. Every change notifies `channel`.
public struct PostgresConfigRepository: Sendable {
    /// The type a value is declared with.
    public enum ValueType: String, Sendable, CaseIterable {
        case string, int, bool, json, secret

        /// Whether `value` is of this type.
        public func admits(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.string, .string), (.secret, .string), (.int, .int), (.bool, .bool), (.json, _): true
            default: false
            }
        }
    }

    /// Notified (payload: the key) whenever a value is set or deleted, so that every replica's cache forgets it.
    public static let channel = "bifrost_config"

    private let client: PostgresClient
    private let keys: KeyRing
    private let logger: Logger

    public init(client: PostgresClient, keys: KeyRing, logger: Logger) {
        self.client = client
        self.keys = keys
        self.logger = logger
    }

    /// Whether `key` may name a value: letters, digits and `_`, at most 100.
    public static func isValidKey(_ key: String) -> Bool {
        (1...100).contains(key.utf8.count)
            && key.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F
            }
    }

    /// Sets `key` of `scope` (the caller has checked that `type` admits `value`).
    public func put(
        _ key: String, value: JSONValue, type: ValueType, description: String?, in scope: Scope, by actor: String
    ) async throws {
        var json: String?
        var sealed: ByteBuffer?
        var version: Int?
        if type == .secret {
            let (bytes, current) = try await keys.seal(
                value.stringValue ?? value.jsonText, kind: "config", name: key, for: scope)
            sealed = ByteBuffer(bytes: bytes)
            version = current
        } else {
            json = value.jsonText
        }
        try await client.tracedQuery(
            """
            WITH saved AS (
            INSERT INTO config (organization_id, key, type, value, sealed, data_key_version, description, updated_by)
            VALUES (\(scope.organizationID), \(key), \(type.rawValue), \(json)::jsonb, \(sealed), \(version), \(description), \(actor))
            ON CONFLICT (coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), key) DO UPDATE SET
                type = excluded.type, value = excluded.value, sealed = excluded.sealed,
                data_key_version = excluded.data_key_version,
                description = coalesce(excluded.description, config.description), updated_at = now(),
                updated_by = excluded.updated_by
            RETURNING key
            )
            SELECT pg_notify(\(Self.channel), key) FROM saved
            """,
            logger: logger
        )
    }

    /// Deletes `key` of `scope`. - Returns: whether there was one.
    public func delete(_ key: String, in scope: Scope) async throws -> Bool {
        try await client.deleteNamedRow(
            key, column: "key", from: "config", in: scope, notifying: Self.channel, logger: logger)
    }

    /// The values of `scope`, by key; a `secret` one without its value.
    public func list(in scope: Scope) async throws -> [ConfigEntry] {
        let rows = try await client.tracedQuery(
            """
            SELECT key, type, value::text, description, updated_at, updated_by FROM config
            WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID) ORDER BY key
            """,
            logger: logger
        )
        var entries: [ConfigEntry] = []
        for try await (key, type, value, description, updated, by) in rows.decode(
            (String, String, String?, String?, Date, String).self
        ) {
            entries.append(
                ConfigEntry(
                    key: key, type: ValueType(rawValue: type) ?? .json,
                    value: try value.map { try JSONValue(parsing: $0) },
                    description: description, updatedAt: updated, updatedBy: by
                ))
        }
        return entries
    }

    /// A value as `stored(_:for:)` reads it: a plain one, or a `secret` one still sealed (`open` reveals it).
    public enum StoredValue: Sendable, Hashable {
        case plain(JSONValue, ValueType)
        case sealed(SealedValue)
    }

    /// The value of `key` for a run in `scope`: the organisation's, else the global one, else nil; a `secret`
    /// value decrypted (as a string).
    public func value(_ key: String, for scope: Scope) async throws -> (value: JSONValue, type: ValueType)? {
        switch try await stored(key, for: scope) {
        case nil: nil
        case .plain(let value, let type): (value, type)
        case .sealed(let sealed): (.string(try await open(sealed, key: key)), .secret)
        }
    }

    /// The value of `key` for a run in `scope` as stored: the organisation's, else the global one, else nil; a
    /// `secret` value still sealed, so that caches of it hold no value in the clear.
    public func stored(_ key: String, for scope: Scope) async throws -> StoredValue? {
        let rows = try await client.tracedQuery(
            """
            SELECT organization_id, type, value::text, sealed, data_key_version FROM config
            WHERE coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)
                IN ('00000000-0000-0000-0000-000000000000'::uuid, \(scope.organizationID))
                AND key = \(key)
            ORDER BY organization_id NULLS LAST LIMIT 1
            """,
            logger: logger
        )
        for try await (organization, type, value, sealed, version) in rows.decode(
            (UUID?, String, String?, ByteBuffer?, Int32?).self
        ) {
            let kind = ValueType(rawValue: type) ?? .json
            guard kind == .secret, let sealed, let version else {
                return .plain(try JSONValue(parsing: value ?? "null"), kind)
            }
            let owner: Scope = organization.map(Scope.organization) ?? .global
            return .sealed(SealedValue(owner: owner, sealed: Array(sealed.readableBytesView), version: Int(version)))
        }
        return nil
    }

    /// The text of a `secret` value of `key` read by `stored(_:for:)`.
    public func open(_ sealed: SealedValue, key: String) async throws -> String {
        try await keys.open(sealed.sealed, kind: "config", name: key, of: sealed.owner, version: sealed.version)
    }
}

/// A configuration value as listings show it: a `secret` one without its value.
public struct ConfigEntry: Sendable, Hashable {
    public var key: String
    public var type: PostgresConfigRepository.ValueType
    public var value: JSONValue?
    public var description: String?
    public var updatedAt: Date
    public var updatedBy: String
}
