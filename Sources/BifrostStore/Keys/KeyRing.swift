public import BifrostCrypto
public import Foundation
public import Logging
public import PostgresNIO
import NIOCore
import Synchronization

/// Envelope encryption's keys: one data key per organisation (and one for global scope), stored wrapped by the
/// master key in PostgreSQL, unwrapped on first use and then cached in memory for `cacheLifetime` (a `SecretKey`
/// is wiped when released).
///
/// `open()` registers the master key on first start and otherwise checks it against the stored check value,
/// refusing a wrong key before anything is decrypted with it; `bifrost serve` calls it at start-up, and the first
/// key asked for calls it if nobody has.
public final class KeyRing: Sendable {
    /// Why the key ring cannot be used.
    public enum Failure: StartupRefusal, Sendable, CustomStringConvertible {
        /// The configured master key is not the one the database's keys are wrapped with.
        case wrongMasterKey(version: Int)

        public var description: String {
            switch self {
            case .wrongMasterKey(let version):
                "the configured master key is not master key version \(version) of this database; "
                    + "set BIFROST_MASTER_KEY (or secrets.masterKeyFile) to the key this database was set up with"
            }
        }
    }

    private struct Cached {
        var key: SecretKey
        var version: Int
        var expires: ContinuousClock.Instant
    }

    private let client: PostgresClient
    private let master: SecretKey
    private let cacheLifetime: Duration
    private let logger: Logger
    private let state = Mutex<(masterVersion: Int?, cache: [UUID?: Cached])>((nil, [:]))

    public init(client: PostgresClient, master: SecretKey, cacheLifetime: Duration = .seconds(300), logger: Logger) {
        self.client = client
        self.master = master
        self.cacheLifetime = cacheLifetime
        self.logger = logger
    }

    /// Registers the master key as version 1 on first start, or checks it against the newest version's check
    /// value. - Throws: `Failure.wrongMasterKey` for another key.
    public func open() async throws {
        let check = try AESGCM.seal(Self.checkText, key: master, associatedData: Self.checkContext(version: 1))
        try await client.query(
            "INSERT INTO master_keys (version, check_value) VALUES (1, \(ByteBuffer(bytes: check))) ON CONFLICT DO NOTHING",
            logger: logger
        )
        let rows = try await client.query(
            "SELECT version, check_value FROM master_keys ORDER BY version DESC LIMIT 1", logger: logger
        )
        for try await (version, stored) in rows.decode((Int32, ByteBuffer).self) {
            let version = Int(version)
            guard (try? AESGCM.open(stored.readableBytesView, key: master, associatedData: Self.checkContext(version: version)))
                == Self.checkText
            else { throw Failure.wrongMasterKey(version: version) }
            state.withLock { $0.masterVersion = version }
        }
    }

    /// The current data key of `scope`, created (and stored wrapped) on first use.
    public func dataKey(for scope: Scope) async throws -> (version: Int, key: SecretKey) {
        let organization = scope.organizationID
        let now = ContinuousClock.now
        if let cached = state.withLock({ $0.cache[organization] }), cached.expires > now {
            return (cached.version, cached.key)
        }
        let masterVersion = try await openedVersion()
        let (version, key): (Int, SecretKey)
        if let stored = try await storedKey(for: organization) {
            (version, key) = stored
        } else {
            (version, key) = try await createKey(for: organization, masterVersion: masterVersion)
        }
        state.withLock { $0.cache[organization] = Cached(key: key, version: version, expires: now + cacheLifetime) }
        return (version, key)
    }

    /// Seals `text` under `scope`'s current data key, bound to what it is (`kind`, e.g. "secret", and `name`), the
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
        let (current, key) = try await dataKey(for: scope)
        guard current == version else { throw CryptoError.malformedCiphertext }
        let context = Self.valueContext(kind: kind, name: name, scope: scope, version: version)
        return String(decoding: try AESGCM.open(sealed, key: key, associatedData: context), as: UTF8.self)
    }

    /// Forgets every unwrapped key (they are wiped as their last user releases them).
    public func evictAll() { state.withLock { $0.cache.removeAll() } }

    /// The current master-key version, checking the master key first if that has not been done.
    private func openedVersion() async throws -> Int {
        if let version = state.withLock({ $0.masterVersion }) { return version }
        try await open()
        guard let version = state.withLock({ $0.masterVersion }) else { throw Failure.wrongMasterKey(version: 1) }
        return version
    }

    private func storedKey(for organization: UUID?) async throws -> (Int, SecretKey)? {
        let rows = try await client.query(
            """
            SELECT version, master_version, wrapped FROM data_keys
            WHERE organization_id IS NOT DISTINCT FROM \(organization) ORDER BY version DESC LIMIT 1
            """,
            logger: logger
        )
        for try await (version, masterVersion, wrapped) in rows.decode((Int32, Int32, ByteBuffer).self) {
            var bytes = try AESGCM.open(
                wrapped.readableBytesView, key: master,
                associatedData: Self.wrapContext(organization, version: Int(version), masterVersion: Int(masterVersion))
            )
            defer { for index in bytes.indices { bytes[index] = 0 } }
            return (Int(version), try SecretKey(bytes: bytes))
        }
        return nil
    }

    /// Makes version 1 of `organization`'s data key; if another replica made it first, uses that one.
    private func createKey(for organization: UUID?, masterVersion: Int) async throws -> (Int, SecretKey) {
        let key = SecretKey.random()
        var raw = key.withUnsafeBytes { Array($0) }
        defer { for index in raw.indices { raw[index] = 0 } }
        let wrapped = try AESGCM.seal(
            raw, key: master, associatedData: Self.wrapContext(organization, version: 1, masterVersion: masterVersion)
        )
        try await client.query(
            """
            INSERT INTO data_keys (organization_id, version, master_version, wrapped)
            VALUES (\(organization), 1, \(masterVersion), \(ByteBuffer(bytes: wrapped))) ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
        guard let stored = try await storedKey(for: organization) else { throw CryptoError.malformedCiphertext }
        return stored
    }

    /// What a sealed value is bound to: a value copied to another row, organisation or key version does not open.
    static func valueContext(kind: String, name: String, scope: Scope, version: Int) -> [UInt8] {
        Array("bifrost:\(kind):\(scope):\(name):data-key-v\(version)".utf8)
    }

    private static let checkText = Array("bifrost master key check".utf8)

    private static func checkContext(version: Int) -> [UInt8] { Array("bifrost:master-check:v\(version)".utf8) }

    /// What a wrapped data key is bound to: a wrapped key moved to another organisation, version or master
    /// version does not unwrap.
    static func wrapContext(_ organization: UUID?, version: Int, masterVersion: Int) -> [UInt8] {
        let scope = organization.map { "org:\($0.uuidString.lowercased())" } ?? "global"
        return Array("bifrost:data-key:\(scope):v\(version):master-v\(masterVersion)".utf8)
    }
}
