import Foundation
package import Logging

/// Where the access-token signing key comes from: the file `auth.signingKeyFile` names, or one generated on
/// first start under the data folder. Either must be readable by its owner only (mode 600): whoever reads the
/// key can sign tokens for any user, platform admins included.
///
/// Several replicas must share one key: configure `auth.signingKeyFile` for them.
package enum SigningKeyFile {
    /// The key's PEM.
    /// - Throws: `ConfigurationError` naming `auth.signingKeyFile` (or `data.directory` for the generated key) when
    ///   the file is unreadable, or group or others have any permission on it.
    package static func load(configured: String?, dataDirectory: String, logger: Logger) throws -> String {
        if let configured {
            return try OwnerOnlyFile.read(configured, key: "auth.signingKeyFile")
        }
        let folder = URL(fileURLWithPath: dataDirectory).appendingPathComponent("auth")
        let file = folder.appendingPathComponent("signing-key.pem")
        if FileManager.default.fileExists(atPath: file.path) {
            return try OwnerOnlyFile.read(file.path, key: "data.directory")
        }
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let pem = AccessTokens.generatePrivateKeyPEM()
        FileManager.default.createFile(
            atPath: file.path, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o600])
        logger.notice("Generated an access-token signing key", metadata: ["bifrost.auth.key.file": "\(file.path)"])
        return pem
    }
}
