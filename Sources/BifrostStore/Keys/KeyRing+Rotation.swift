import BifrostCrypto
public import Foundation
import Logging
import NIOCore
import PostgresNIO

/// How far a re-wrap or re-encryption has got.
public struct RotationProgress: Sendable, Hashable {
    /// Items done so far.
    public var done: Int
    /// Items there were to do when it started.
    public var total: Int

    public init(done: Int, total: Int) {
        self.done = done
        self.total = total
    }
}

extension KeyRing {
    /// The channel on which a data-key rotation tells every replica to forget that scope's cached keys.
    public static let channel = "bifrost_keys"

    /// The scope `channel`'s payload names (an organisation id, or "global"); nil for anything else.
    public static func scope(announced payload: String) -> Scope? {
        if payload == "global" { return .global }
        return UUID(uuidString: payload).map(Scope.organization)
    }

    /// Re-wraps every data key that the current master key does not wrap, `batchSize` keys per transaction, and
    /// calls `progress` after each batch. Online: keys in use stay readable throughout (both master keys are
    /// held). Resumable: a crash loses at most the batch in flight, and running it again continues with what is
    /// left. - Returns: how many data keys it re-wrapped.
    @discardableResult
    public func rewrapDataKeys(batchSize: Int = 500, progress: (RotationProgress) -> Void = { _ in }) async throws
        -> Int
    {
        let masters = try await openedMasters()
        let total = try await dataKeysByMasterVersion().filter { $0.key != masters.current }.values.reduce(0, +)
        var done = 0
        while true {
            let moved = try await client.transaction(logger: logger) { connection in
                try await Self.rewrapBatch(on: connection, limit: batchSize, masters: masters, logger: self.logger)
            }
            guard moved > 0 else { break }
            done += moved
            progress(RotationProgress(done: done, total: max(total, done)))
        }
        return done
    }

    /// Adds a new version of `scope`'s data key and re-encrypts every value sealed under an older one, `batchSize`
    /// values per transaction, calling `progress` after each batch. Other replicas are told to forget the scope's
    /// cached keys. A crash leaves values under either version readable; running it again adds another version
    /// and moves everything to it. - Returns: the new version and how many values were re-encrypted.
    public func rotateDataKey(
        of scope: Scope, batchSize: Int = 500, progress: (RotationProgress) -> Void = { _ in }
    ) async throws -> (version: Int, reencrypted: Int) {
        let masters = try await openedMasters()
        let rows = try await client.tracedQuery(
            "SELECT coalesce(max(version), 0) FROM data_keys WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID)",
            logger: logger
        )
        var newest = 0
        for try await version in rows.decode(Int32.self) { newest = Int(version) }
        try await insertKey(for: scope.organizationID, version: newest + 1, masters: masters)
        evict(scope)
        try await client.tracedQuery("SELECT pg_notify(\(Self.channel), \(Self.payload(for: scope)))", logger: logger)
        let (version, key) = try await dataKey(for: scope)
        let total = try await staleValueCount(of: scope, newest: version)
        var done = 0
        for column in SealedColumn.all {
            while true {
                let moved = try await client.transaction(logger: logger) { connection in
                    try await self.reencryptBatch(
                        column, of: scope, to: (version, key), limit: batchSize, on: connection)
                }
                guard moved > 0 else { break }
                done += moved
                progress(RotationProgress(done: done, total: max(total, done)))
            }
        }
        return (version, done)
    }

    /// Versions, what each master key still wraps, and how many sealed values still use an older data key.
    public func status() async throws -> KeyStatus {
        let masters = try await openedMasters()
        let counts = try await dataKeysByMasterVersion()
        let rows = try await client.tracedQuery(
            "SELECT version, created_at FROM master_keys ORDER BY version", logger: logger)
        var versions: [KeyStatus.MasterVersion] = []
        for try await (version, created) in rows.decode((Int32, Date).self) {
            let version = Int(version)
            versions.append(
                KeyStatus.MasterVersion(
                    version: version, createdAt: created, isCurrent: version == masters.current,
                    isConfigured: masters.keys[version] != nil, dataKeys: counts[version] ?? 0
                ))
        }
        var stale = 0
        var staleScopes = Set<UUID?>()
        for column in SealedColumn.all {
            let rows = try await client.tracedQuery(
                """
                SELECT t.organization_id, count(*) FROM \(unescaped: column.table) AS t
                JOIN (SELECT organization_id, max(version) AS newest FROM data_keys GROUP BY organization_id) AS k
                    ON k.organization_id IS NOT DISTINCT FROM t.organization_id
                WHERE t.sealed IS NOT NULL AND t.data_key_version < k.newest
                GROUP BY t.organization_id
                """,
                logger: logger
            )
            for try await (organization, count) in rows.decode((UUID?, Int64).self) {
                stale += Int(count)
                staleScopes.insert(organization)
            }
        }
        let scopes = try await client.tracedQuery(
            "SELECT count(DISTINCT coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)) FROM data_keys",
            logger: logger
        )
        var scopeCount = 0
        for try await count in scopes.decode(Int64.self) { scopeCount = Int(count) }
        return KeyStatus(
            masterVersions: versions, scopes: scopeCount, valuesUnderOlderDataKeys: stale,
            scopesWithOlderDataKeyValues: staleScopes.count
        )
    }

    // MARK: Batches

    /// Re-wraps up to `limit` data keys not wrapped by the current master key, locking them (a key another
    /// transaction holds is waited for). - Returns: how many.
    private static func rewrapBatch(
        on connection: PostgresConnection, limit: Int, masters: Masters, logger: Logger
    ) async throws -> Int {
        let rows = try await connection.tracedQuery(
            """
            SELECT organization_id, version, master_version, wrapped FROM data_keys
            WHERE master_version <> \(masters.current)
            ORDER BY coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), version
            LIMIT \(limit) FOR UPDATE
            """,
            logger: logger
        )
        var organizations: [UUID] = []
        var versions: [Int32] = []
        var wrapped: [ByteBuffer] = []
        for try await (organization, version, masterVersion, old) in rows.decode((UUID?, Int32, Int32, ByteBuffer).self)
        {
            let key = try unwrap(
                old.readableBytesView, organization: organization, version: Int(version),
                masterVersion: Int(masterVersion), masters: masters
            )
            organizations.append(organization ?? Self.globalID)
            versions.append(version)
            wrapped.append(
                ByteBuffer(bytes: try wrap(key, organization: organization, version: Int(version), masters: masters)))
        }
        guard !organizations.isEmpty else { return 0 }
        try await connection.tracedQuery(
            """
            UPDATE data_keys AS d SET master_version = \(masters.current), wrapped = u.wrapped
            FROM unnest(\(organizations)::uuid[], \(versions)::int[], \(wrapped)::bytea[]) AS u(organization_id, version, wrapped)
            WHERE coalesce(d.organization_id, '00000000-0000-0000-0000-000000000000'::uuid) = u.organization_id
                AND d.version = u.version
            """,
            logger: logger
        )
        return organizations.count
    }

    /// Re-encrypts up to `limit` of `scope`'s values in `column` that an older data key sealed. - Returns: how many.
    private func reencryptBatch(
        _ column: SealedColumn, of scope: Scope, to newest: (version: Int, key: SecretKey), limit: Int,
        on connection: PostgresConnection
    ) async throws -> Int {
        let rows = try await connection.tracedQuery(
            """
            SELECT \(unescaped: column.nameColumn), sealed, data_key_version FROM \(unescaped: column.table)
            WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID) AND sealed IS NOT NULL
                AND data_key_version <> \(newest.version)
            ORDER BY \(unescaped: column.nameColumn) LIMIT \(limit) FOR UPDATE
            """,
            logger: logger
        )
        var names: [String] = []
        var sealed: [ByteBuffer] = []
        for try await (name, old, version) in rows.decode((String, ByteBuffer, Int32).self) {
            let oldKey = try await dataKey(for: scope, version: Int(version))
            var plain = try AESGCM.open(
                old.readableBytesView, key: oldKey,
                associatedData: Self.valueContext(kind: column.kind, name: name, scope: scope, version: Int(version))
            )
            defer { for index in plain.indices { plain[index] = 0 } }
            let context = Self.valueContext(kind: column.kind, name: name, scope: scope, version: newest.version)
            names.append(name)
            sealed.append(ByteBuffer(bytes: try AESGCM.seal(plain, key: newest.key, associatedData: context)))
        }
        guard !names.isEmpty else { return 0 }
        try await connection.tracedQuery(
            """
            UPDATE \(unescaped: column.table) AS t SET sealed = u.sealed, data_key_version = \(newest.version)
            FROM unnest(\(names)::text[], \(sealed)::bytea[]) AS u(name, sealed)
            WHERE t.organization_id IS NOT DISTINCT FROM \(scope.organizationID)
                AND t.\(unescaped: column.nameColumn) = u.name
            """,
            logger: logger
        )
        return names.count
    }

    private func staleValueCount(of scope: Scope, newest: Int) async throws -> Int {
        var total = 0
        for column in SealedColumn.all {
            let rows = try await client.tracedQuery(
                """
                SELECT count(*) FROM \(unescaped: column.table) WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID)
                    AND sealed IS NOT NULL AND data_key_version <> \(newest)
                """,
                logger: logger
            )
            for try await count in rows.decode(Int64.self) { total += Int(count) }
        }
        return total
    }

    private static let globalID = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    static func payload(for scope: Scope) -> String {
        scope.organizationID.map { $0.lowercasedText } ?? "global"
    }
}

/// The state of the key ring: master-key versions and what each wraps, and sealed values still under an older data
/// key than their scope's newest (a data-key rotation not finished).
public struct KeyStatus: Sendable, Hashable {
    /// One master-key version.
    public struct MasterVersion: Sendable, Hashable {
        public var version: Int
        public var createdAt: Date
        /// Whether new data keys are wrapped by it.
        public var isCurrent: Bool
        /// Whether the key is among those this process was given.
        public var isConfigured: Bool
        /// How many data keys it wraps (0: it protects nothing and may be dropped from the configuration).
        public var dataKeys: Int
    }

    public var masterVersions: [MasterVersion]
    /// The version new data keys are wrapped by.
    public var currentMasterVersion: Int { masterVersions.first(where: \.isCurrent)?.version ?? 0 }
    /// Scopes (organisations and global) with a data key.
    public var scopes: Int
    public var valuesUnderOlderDataKeys: Int
    public var scopesWithOlderDataKeyValues: Int
}
