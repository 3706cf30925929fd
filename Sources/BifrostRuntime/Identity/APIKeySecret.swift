import BifrostCrypto

/// The form of API keys: `bfk_` followed by 256 random bits in URL-safe base64 (43 characters).
package enum APIKeySecret {
    package static let prefix = "bfk_"

    /// A new key.
    package static func generate() -> String { prefix + Base64.urlSafe(SecureRandom.bytes(32)) }

    /// What is stored and looked up: the SHA-256 of the key, in hex. The key has 256 bits of entropy, so a fast
    /// hash is enough, and looking a hash up reveals nothing about keys that do not match.
    package static func hash(_ key: String) -> String { SHA256Digest.hex(key) }

    /// The part shown in lists: the prefix and the first eight characters after it.
    package static func displayPrefix(of key: String) -> String { String(key.prefix(prefix.count + 8)) }
}
