public import BifrostCrypto
import Foundation
public import Logging

/// Where the master key comes from: `masterKey` (environment `BIFROST_MASTER_KEY`, base64 of 32 bytes), else the
/// file `masterKeyFile` names (base64, readable by its owner only), else — only with the embedded development
/// database — a key generated on first start under the data folder, which the log announces. Earlier keys, kept
/// during a rotation, come from `previousMasterKeys`.
public enum MasterKeyLoader {
    /// The configured master key and the earlier ones.
    public static func load(_ configuration: GatewayConfiguration, logger: Logger) throws
        -> (current: SecretKey, previous: [SecretKey])
    {
        let previous = try configuration.secrets.previousMasterKeys.map {
            try key(fromBase64: $0, key: "previousMasterKeys", shown: nil)
        }
        return (try current(configuration, logger: logger), previous)
    }

    private static func current(_ configuration: GatewayConfiguration, logger: Logger) throws -> SecretKey {
        if let text = configuration.secrets.masterKey {
            return try key(fromBase64: text, key: "masterKey", shown: nil)
        }
        if let path = configuration.secrets.masterKeyFile {
            return try read(path, key: "masterKeyFile")
        }
        guard configuration.database.url == nil else {
            throw ConfigurationError(
                key: "masterKey", value: "",
                expected: "a master key with an external database: BIFROST_MASTER_KEY (base64 of 32 random bytes) "
                    + "or masterKeyFile",
                isSecret: true
            )
        }
        let folder = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("keys")
        let file = folder.appendingPathComponent("master.key")
        if FileManager.default.fileExists(atPath: file.path) { return try read(file.path, key: "data.directory") }
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
        )
        let bytes = SecureRandom.bytes(SecretKey.byteCount)
        FileManager.default.createFile(
            atPath: file.path, contents: Data(Base64.encode(bytes).utf8), attributes: [.posixPermissions: 0o600]
        )
        logger.notice(
            "Generated a master key for development; set BIFROST_MASTER_KEY for production",
            metadata: ["bifrost.keys.file": "\(file.path)"]
        )
        return try SecretKey(bytes: bytes)
    }

    private static func read(_ path: String, key: String) throws -> SecretKey {
        try Self.key(fromBase64: try OwnerOnlyFile.read(path, key: key), key: key, shown: path)
    }

    /// - Parameter shown: what an error may show of the value (the file's path; nil: nothing).
    private static func key(fromBase64 text: String, key: String, shown: String?) throws -> SecretKey {
        guard let bytes = Base64.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            bytes.count == SecretKey.byteCount
        else {
            throw ConfigurationError(
                key: key, value: shown ?? "", expected: "the base64 of exactly 32 bytes", isSecret: shown == nil
            )
        }
        return try SecretKey(bytes: bytes)
    }
}
