public import BifrostCrypto
import Foundation
public import Logging
import NIOCore
public import PostgresNIO
import Synchronization

/// Envelope encryption's keys: data keys per organisation (and for global scope), each version stored wrapped by a
/// master-key version in PostgreSQL, unwrapped on first use and then cached in memory for `cacheLifetime` (a
/// `SecretKey` is wiped when released).
///
/// The ring holds the configured master key and any previous ones. `open()` matches them to the stored master-key
/// versions by their check values before anything is decrypted: the configured key must be the newest version, or
/// a new key that is then registered as the next version (rotation, see `KeyRing+Rotation`); every version that
/// still wraps a data key must be among the keys given. `bifrost serve` calls it at start-up, and the first key asked
/// for calls it if nobody has.
public final class KeyRing: Sendable {
    /// Why the key ring cannot be used.
    public enum Failure: StartupRefusal, Sendable, CustomStringConvertible, Equatable {
        /// The configured master key is none of the database's master-key versions, and no previous key given
        /// is the newest one (which would make it a rotation).
        case wrongMasterKey(version: Int)
        /// The configured master key is an older version than the newest.
        case staleMasterKey(configured: Int, newest: Int)
        /// Data keys are wrapped by a master-key version none of the configured keys is.
        case missingMasterKey(version: Int, dataKeys: Int)

        public var description: String {
            switch self {
            case .wrongMasterKey(let version):
                "the configured master key is not master key version \(version) of this database; "
                    + "set BIFROST_MASTER_KEY (or masterKeyFile) to the key this database was set up with, or to a "
                    + "new key with the current one in previousMasterKeys to rotate"
            case .staleMasterKey(let configured, let newest):
                "the configured master key is version \(configured), but version \(newest) exists: configure the "
                    + "newest master key (with older ones in previousMasterKeys)"
            case .missingMasterKey(let version, let dataKeys):
                "\(dataKeys) data key(s) are wrapped by master key version \(version), which is not configured: "
                    + "add it to previousMasterKeys until `bifrost keys rotate` has re-wrapped them"
            }
        }
    }

    /// The unwrapped data keys of one scope, every version, and which is newest.
    private struct Cached {
        var keys: [Int: SecretKey]
        var newest: Int
        var expires: ContinuousClock.Instant
    }

    /// The master keys matched to their versions by `open()`.
    struct Masters {
        var current: Int
        var keys: [Int: SecretKey]
    }

    let client: PostgresClient
    let logger: Logger
    private let master: SecretKey
    private let previous: [SecretKey]
    private let cacheLifetime: Duration
    private let state = Mutex<(masters: Masters?, cache: [UUID?: Cached])>((nil, [:]))

    /// - Parameters:
    ///   - master: the master key new data keys are wrapped with.
    ///   - previous: earlier master keys, needed while data keys wrapped by them remain.
    public init(
        client: PostgresClient, master: SecretKey, previous: [SecretKey] = [], cacheLifetime: Duration = .seconds(300),
        logger: Logger
    ) {
        self.client = client
        self.master = master
        self.previous = previous
        self.cacheLifetime = cacheLifetime
        self.logger = logger
    }

    /// Matches the configured master keys to the stored versions (registering the master key as version 1 on first
    /// start, or as the next version when a previous key is the newest).
    /// - Throws: `Failure` when the keys given cannot serve this database.
    public func open() async throws {
        var stored = try await storedMasterVersions()
        if stored.isEmpty {
            try await register(version: 1)
            stored = try await storedMasterVersions()
        }
        var masters = match(stored)
        let newest = stored.keys.max() ?? 1
        if masters.current == 0 {
            guard masters.keys[newest] != nil else { throw Failure.wrongMasterKey(version: newest) }
            try await register(version: newest + 1)
            logger.notice(
                "Registered the configured master key as a new version; run `bifrost keys rotate` to re-wrap the data keys",
                metadata: ["bifrost.keys.masterVersion": "\(newest + 1)"]
            )
            masters = match(try await storedMasterVersions())
            guard masters.current != 0 else { throw Failure.wrongMasterKey(version: newest + 1) }
        } else if masters.current != newest {
            throw Failure.staleMasterKey(configured: masters.current, newest: newest)
        }
        for (version, count) in try await dataKeysByMasterVersion() where masters.keys[version] == nil {
            throw Failure.missingMasterKey(version: version, dataKeys: count)
        }
        state.withLock { $0.masters = masters }
    }

    /// The newest data key of `scope`, created (and stored wrapped) on first use.
    public func dataKey(for scope: Scope) async throws -> (version: Int, key: SecretKey) {
        let entry = try await cached(scope.organizationID, needing: nil)
        guard let key = entry.keys[entry.newest] else { throw CryptoError.malformedCiphertext }
        return (entry.newest, key)
    }

    /// Version `version` of `scope`'s data key. - Throws: `CryptoError.malformedCiphertext` when there is none.
    public func dataKey(for scope: Scope, version: Int) async throws -> SecretKey {
        guard let key = try await cached(scope.organizationID, needing: version).keys[version] else {
            throw CryptoError.malformedCiphertext
        }
        return key
    }

    /// Seals `text` under `scope`'s newest data key, bound to what it is (`kind`, e.g. "secret", and `name`), the
    /// scope and the key version. - Returns: the sealed bytes and the data-key version to store beside them.
    public func seal(_ text: String, kind: String, name: String, for scope: Scope) async throws
        -> (sealed: [UInt8], version: Int)
    {
        let (version, key) = try await dataKey(for: scope)
        let context = Self.valueContext(kind: kind, name: name, scope: scope, version: version)
        return (try AESGCM.seal(Array(text.utf8), key: key, associatedData: context), version)
    }

    /// Opens a value `seal` made for the same `kind`, `name` and `scope` under data-key `version`.
    /// - Throws: `CryptoError.authenticationFailed` when it was sealed for anything else or altered.
    public func open(_ sealed: some Collection<UInt8>, kind: String, name: String, of scope: Scope, version: Int)
        async throws -> String
    {
        let key = try await dataKey(for: scope, version: version)
        let context = Self.valueContext(kind: kind, name: name, scope: scope, version: version)
        return String(decoding: try AESGCM.open(sealed, key: key, associatedData: context), as: UTF8.self)
    }

    /// Forgets the unwrapped keys of `scope` (they are wiped as their last user releases them).
    public func evict(_ scope: Scope) { _ = state.withLock { $0.cache.removeValue(forKey: scope.organizationID) } }

    /// Forgets every unwrapped key.
    public func evictAll() { state.withLock { $0.cache.removeAll() } }

    /// The master keys by version, checking them first if that has not been done.
    func openedMasters() async throws -> Masters {
        if let masters = state.withLock({ $0.masters }) { return masters }
        try await open()
        guard let masters = state.withLock({ $0.masters }) else { throw Failure.wrongMasterKey(version: 1) }
        return masters
    }

    /// `organization`'s cached keys, (re)loaded when missing, expired, or lacking `version`.
    private func cached(_ organization: UUID?, needing version: Int?) async throws -> Cached {
        let now = ContinuousClock.now
        if let entry = state.withLock({ $0.cache[organization] }), entry.expires > now,
            version.map({ entry.keys[$0] != nil }) ?? true
        {
            return entry
        }
        let masters = try await openedMasters()
        var keys = try await storedKeys(for: organization, masters: masters)
        if keys.isEmpty {
            try await insertKey(for: organization, version: 1, masters: masters)
            keys = try await storedKeys(for: organization, masters: masters)
        }
        let entry = Cached(keys: keys, newest: keys.keys.max() ?? 1, expires: now + cacheLifetime)
        state.withLock { $0.cache[organization] = entry }
        return entry
    }

    /// Every stored version of `organization`'s data key, unwrapped.
    private func storedKeys(for organization: UUID?, masters: Masters) async throws -> [Int: SecretKey] {
        let rows = try await client.tracedQuery(
            """
            SELECT version, master_version, wrapped FROM data_keys
            WHERE organization_id IS NOT DISTINCT FROM \(organization)
            """,
            logger: logger
        )
        var keys: [Int: SecretKey] = [:]
        for try await (version, masterVersion, wrapped) in rows.decode((Int32, Int32, ByteBuffer).self) {
            keys[Int(version)] = try Self.unwrap(
                wrapped.readableBytesView, organization: organization, version: Int(version),
                masterVersion: Int(masterVersion), masters: masters
            )
        }
        return keys
    }

    /// Stores a new random data key as `version` of `organization`'s, wrapped by the current master key; if another
    /// replica stored that version first, keeps theirs.
    func insertKey(for organization: UUID?, version: Int, masters: Masters) async throws {
        let wrapped = try Self.wrap(SecretKey.random(), organization: organization, version: version, masters: masters)
        try await client.tracedQuery(
            """
            INSERT INTO data_keys (organization_id, version, master_version, wrapped)
            VALUES (\(organization), \(version), \(masters.current), \(ByteBuffer(bytes: wrapped))) ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
    }

    static func wrap(_ key: SecretKey, organization: UUID?, version: Int, masters: Masters) throws -> [UInt8] {
        guard let master = masters.keys[masters.current] else { throw Failure.wrongMasterKey(version: masters.current) }
        var raw = key.withUnsafeBytes { Array($0) }
        defer { for index in raw.indices { raw[index] = 0 } }
        return try AESGCM.seal(
            raw, key: master,
            associatedData: wrapContext(organization, version: version, masterVersion: masters.current)
        )
    }

    static func unwrap(
        _ wrapped: some Collection<UInt8>, organization: UUID?, version: Int, masterVersion: Int, masters: Masters
    ) throws -> SecretKey {
        guard let master = masters.keys[masterVersion] else {
            throw Failure.missingMasterKey(version: masterVersion, dataKeys: 1)
        }
        var bytes = try AESGCM.open(
            wrapped, key: master,
            associatedData: wrapContext(organization, version: version, masterVersion: masterVersion)
        )
        defer { for index in bytes.indices { bytes[index] = 0 } }
        return try SecretKey(bytes: bytes)
    }

    // MARK: Master-key versions

    private func storedMasterVersions() async throws -> [Int: ByteBuffer] {
        let rows = try await client.tracedQuery("SELECT version, check_value FROM master_keys", logger: logger)
        var versions: [Int: ByteBuffer] = [:]
        for try await (version, check) in rows.decode((Int32, ByteBuffer).self) { versions[Int(version)] = check }
        return versions
    }

    /// Which stored version each configured key is (`current` 0: the master key is none of them).
    private func match(_ stored: [Int: ByteBuffer]) -> Masters {
        var masters = Masters(current: 0, keys: [:])
        for (version, check) in stored {
            let context = Self.checkContext(version: version)
            for (index, key) in ([master] + previous).enumerated()
            where (try? AESGCM.open(check.readableBytesView, key: key, associatedData: context)) == Self.checkText {
                masters.keys[version] = key
                if index == 0 { masters.current = version }
            }
        }
        return masters
    }

    private func register(version: Int) async throws {
        let check = try AESGCM.seal(Self.checkText, key: master, associatedData: Self.checkContext(version: version))
        try await client.tracedQuery(
            "INSERT INTO master_keys (version, check_value) VALUES (\(version), \(ByteBuffer(bytes: check))) ON CONFLICT DO NOTHING",
            logger: logger
        )
    }

    /// How many data keys each master-key version wraps.
    func dataKeysByMasterVersion() async throws -> [Int: Int] {
        let rows = try await client.tracedQuery(
            "SELECT master_version, count(*) FROM data_keys GROUP BY master_version", logger: logger
        )
        var counts: [Int: Int] = [:]
        for try await (version, count) in rows.decode((Int32, Int64).self) { counts[Int(version)] = Int(count) }
        return counts
    }

    // MARK: What each sealing is bound to

    /// What a sealed value is bound to: a value copied to another row, organisation or key version does not open.
    static func valueContext(kind: String, name: String, scope: Scope, version: Int) -> [UInt8] {
        Array("bifrost:\(kind):\(scope):\(name):data-key-v\(version)".utf8)
    }

    private static let checkText = Array("bifrost master key check".utf8)

    private static func checkContext(version: Int) -> [UInt8] { Array("bifrost:master-check:v\(version)".utf8) }

    /// What a wrapped data key is bound to: a wrapped key moved to another organisation, version or master
    /// version does not unwrap.
    static func wrapContext(_ organization: UUID?, version: Int, masterVersion: Int) -> [UInt8] {
        let scope = organization.map { "org:\($0.lowercasedText)" } ?? "global"
        return Array("bifrost:data-key:\(scope):v\(version):master-v\(masterVersion)".utf8)
    }
}
