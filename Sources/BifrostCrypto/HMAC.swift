import COpenSSL

/// HMAC-SHA256 through OpenSSL's EVP_MAC interface (webhook signatures).
public enum HMACSHA256 {
    /// The MAC, fetched from OpenSSL's default provider once. Immutable after the fetch; OpenSSL algorithm objects
    /// may be shared between threads.
    nonisolated(unsafe) private static let mac: OpaquePointer = {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { fatalError("OpenSSL has no HMAC") }
        return mac
    }()

    /// The 32-byte HMAC-SHA256 of `message` under `key` (not empty).
    public static func authenticationCode(for message: some Collection<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        let keyBytes = Array(key)
        precondition(!keyBytes.isEmpty, "an HMAC key must not be empty")
        let messageBytes = Array(message)
        var output = [UInt8](repeating: 0, count: 32)
        guard let context = EVP_MAC_CTX_new(mac) else { fatalError("OpenSSL could not allocate an HMAC context") }
        defer { EVP_MAC_CTX_free(context) }
        var length = 0
        let status = "digest".withCString { name in
            "SHA256".withCString { digest in
                var parameters = [
                    OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return keyBytes.withUnsafeBufferPointer { keyPointer in
                    messageBytes.withUnsafeBufferPointer { messagePointer in
                        output.withUnsafeMutableBufferPointer { out -> Int32 in
                            guard EVP_MAC_init(context, keyPointer.baseAddress, keyBytes.count, &parameters) == 1,
                                EVP_MAC_update(context, messagePointer.baseAddress, messageBytes.count) == 1
                            else { return 0 }
                            return EVP_MAC_final(context, out.baseAddress, &length, 32)
                        }
                    }
                }
            }
        }
        precondition(status == 1 && length == 32, "OpenSSL HMAC-SHA256 failed")
        return output
    }
}
