import COpenSSL

/// Password hashing with PBKDF2-HMAC-SHA256 through the system OpenSSL.
///
/// Stored form: `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`, so the work factor can rise later
/// without invalidating existing hashes. Verification compares in constant time.
public struct PasswordHasher: Sendable {
    /// Iterations for new hashes; OWASP's 2023 floor for PBKDF2-HMAC-SHA256 is 600,000.
    public var iterations: Int

    public init(iterations: Int = 600_000) {
        self.iterations = iterations
    }

    /// A new salted hash of `password`.
    public func hash(_ password: String) -> String {
        let salt = SecureRandom.bytes(16)
        let derived = Self.derive(password: password, salt: salt, iterations: iterations)
        return "pbkdf2-sha256$\(iterations)$\(Base64.encode(salt))$\(Base64.encode(derived))"
    }

    /// Whether `password` matches `stored`; false for anything malformed.
    public func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        // Bounds a stored hash must keep so that no hash, however it was written, can stop the process.
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]),
            (1...100_000_000).contains(rounds),
            let salt = Base64.decode(String(parts[2])), salt.count <= 1_024,
            let expected = Base64.decode(String(parts[3])), (16...64).contains(expected.count),
            password.utf8.count <= 1 << 20
        else { return false }
        let derived = Self.derive(password: password, salt: salt, iterations: rounds, length: expected.count)
        return ConstantTime.equals(derived, expected)
    }

    private static func derive(password: String, salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        let secret = Array(password.utf8)
        var output = [UInt8](repeating: 0, count: length)
        let status = secret.withUnsafeBytes { pass in
            salt.withUnsafeBufferPointer { saltBytes in
                output.withUnsafeMutableBufferPointer { out in
                    PKCS5_PBKDF2_HMAC(
                        pass.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(secret.count),
                        saltBytes.baseAddress, Int32(salt.count), Int32(iterations), EVP_sha256(),
                        Int32(length), out.baseAddress
                    )
                }
            }
        }
        precondition(status == 1, "OpenSSL PKCS5_PBKDF2_HMAC failed")
        return output
    }
}
