import Foundation
import Logging

/// Where the access-token signing key comes from: the file `auth.signingKeyFile` names, or one generated on
/// first start under the data folder (readable by the gateway's user only).
///
/// Several replicas must share one key: configure `auth.signingKeyFile` for them.
enum SigningKeyFile {
    static func load(configured: String?, dataDirectory: String, logger: Logger) throws -> String {
        if let configured {
            return try String(contentsOfFile: configured, encoding: .utf8)
        }
        let folder = URL(fileURLWithPath: dataDirectory).appendingPathComponent("auth")
        let file = folder.appendingPathComponent("signing-key.pem")
        if let existing = try? String(contentsOf: file, encoding: .utf8) { return existing }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let pem = AccessTokens.generatePrivateKeyPEM()
        FileManager.default.createFile(atPath: file.path, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o600])
        logger.notice("Generated an access-token signing key", metadata: ["bifrost.auth.key.file": "\(file.path)"])
        return pem
    }
}
