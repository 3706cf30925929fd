import Foundation

/// Reads a file that holds a secret (the master key, the access-token signing key) only when no one but its owner
/// may read or write it, as `ssh` treats private keys: a key others can read is a key others may have copied.
package enum OwnerOnlyFile {
    /// The text of the file at `path`.
    /// - Parameter key: the configuration key that named the file, for the error.
    /// - Throws: `ConfigurationError` for `key` when the file is missing or unreadable, or when its group or others
    ///   have any permission on it (it must be mode 600 or 400).
    package static func read(_ path: String, key: String) throws -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let mode = (attributes?[.posixPermissions] as? NSNumber)?.intValue else {
            throw ConfigurationError(key: key, value: path, expected: "a readable file")
        }
        guard mode & 0o077 == 0 else {
            throw ConfigurationError(
                key: key, value: path,
                expected: "a file readable by its owner only (chmod 600), not mode \(String(mode, radix: 8))"
            )
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(key: key, value: path, expected: "a readable text file")
        }
        return text
    }
}
