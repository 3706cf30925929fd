import COpenSSL

/// AES-256-GCM through OpenSSL's EVP interface: authenticated encryption with associated data.
///
/// `seal` draws a fresh 96-bit nonce from OpenSSL's CSPRNG for every call (random nonces are safe for far more
/// than 2^32 messages per key, which data keys never approach), and returns `nonce ‖ ciphertext ‖ tag`. The
/// associated data is authenticated but not stored: a value opened with other associated data (another
/// organisation, another name, another key version) fails, so a ciphertext copied to another row is useless.
public enum AESGCM {
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    /// Encrypts `plaintext` under `key` with a fresh random nonce. - Returns: `nonce ‖ ciphertext ‖ tag`.
    public static func seal(
        _ plaintext: some Collection<UInt8>, key: SecretKey, associatedData: some Collection<UInt8> = [UInt8]()
    ) throws -> [UInt8] {
        let nonce = SecureRandom.bytes(nonceByteCount)
        let (ciphertext, tag) = try seal(plaintext, key: key, nonce: nonce, associatedData: associatedData)
        return nonce + ciphertext + tag
    }

    /// Decrypts a value `seal` produced. - Throws: `CryptoError.authenticationFailed` for a wrong key, wrong
    /// associated data or an altered value; nothing of the plaintext is returned then.
    public static func open(
        _ sealed: some Collection<UInt8>, key: SecretKey, associatedData: some Collection<UInt8> = [UInt8]()
    ) throws -> [UInt8] {
        let bytes = Array(sealed)
        guard bytes.count >= nonceByteCount + tagByteCount else { throw CryptoError.malformedCiphertext }
        return try open(
            ciphertext: bytes[nonceByteCount..<(bytes.count - tagByteCount)], key: key,
            nonce: bytes[..<nonceByteCount], tag: bytes[(bytes.count - tagByteCount)...], associatedData: associatedData
        )
    }

    /// Encrypts with a given nonce (known-answer tests; `seal(_:key:associatedData:)` for everything else: a
    /// nonce must never be used twice with one key). - Returns: the ciphertext and the 16-byte tag.
    public static func seal(
        _ plaintext: some Collection<UInt8>, key: SecretKey, nonce: some Collection<UInt8>,
        associatedData: some Collection<UInt8>
    ) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let input = Array(plaintext), iv = Array(nonce), aad = Array(associatedData)
        guard iv.count == nonceByteCount else { throw CryptoError.invalidNonceSize(iv.count) }
        return try withContext { context in
            try key.withUnsafeBytes { keyBytes in
                try check(EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil), "EncryptInit")
                try check(EVP_CIPHER_CTX_ctrl(context, BIFROST_EVP_CTRL_GCM_SET_IVLEN, Int32(iv.count), nil), "SET_IVLEN")
                try check(EVP_EncryptInit_ex(context, nil, nil, keyBytes.bindMemory(to: UInt8.self).baseAddress, iv), "EncryptInit key")
            }
            var length: Int32 = 0
            if !aad.isEmpty { try check(EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)), "EncryptUpdate aad") }
            var output = [UInt8](repeating: 0, count: input.count + 16)
            var written = 0
            if !input.isEmpty {
                try check(EVP_EncryptUpdate(context, &output, &length, input, Int32(input.count)), "EncryptUpdate")
                written = Int(length)
            }
            try output.withUnsafeMutableBufferPointer { buffer in
                try check(EVP_EncryptFinal_ex(context, buffer.baseAddress! + written, &length), "EncryptFinal")
            }
            written += Int(length)
            var tag = [UInt8](repeating: 0, count: tagByteCount)
            try check(EVP_CIPHER_CTX_ctrl(context, BIFROST_EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag), "GET_TAG")
            return (Array(output[..<written]), tag)
        }
    }

    /// Decrypts and authenticates with the parts given separately.
    public static func open(
        ciphertext: some Collection<UInt8>, key: SecretKey, nonce: some Collection<UInt8>, tag: some Collection<UInt8>,
        associatedData: some Collection<UInt8>
    ) throws -> [UInt8] {
        let input = Array(ciphertext), iv = Array(nonce), aad = Array(associatedData)
        var expected = Array(tag)
        guard iv.count == nonceByteCount else { throw CryptoError.invalidNonceSize(iv.count) }
        guard expected.count == tagByteCount else { throw CryptoError.malformedCiphertext }
        return try withContext { context in
            try key.withUnsafeBytes { keyBytes in
                try check(EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil), "DecryptInit")
                try check(EVP_CIPHER_CTX_ctrl(context, BIFROST_EVP_CTRL_GCM_SET_IVLEN, Int32(iv.count), nil), "SET_IVLEN")
                try check(EVP_DecryptInit_ex(context, nil, nil, keyBytes.bindMemory(to: UInt8.self).baseAddress, iv), "DecryptInit key")
            }
            var length: Int32 = 0
            if !aad.isEmpty { try check(EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count)), "DecryptUpdate aad") }
            var output = [UInt8](repeating: 0, count: input.count + 16)
            var written = 0
            if !input.isEmpty {
                try check(EVP_DecryptUpdate(context, &output, &length, input, Int32(input.count)), "DecryptUpdate")
                written = Int(length)
            }
            try check(EVP_CIPHER_CTX_ctrl(context, BIFROST_EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &expected), "SET_TAG")
            let verified = output.withUnsafeMutableBufferPointer { buffer in
                EVP_DecryptFinal_ex(context, buffer.baseAddress! + written, &length)
            }
            guard verified > 0 else {
                output.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
                throw CryptoError.authenticationFailed
            }
            written += Int(length)
            return Array(output[..<written])
        }
    }

    private static func withContext<Result>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        return try body(context)
    }

    private static func check(_ status: Int32, _ step: String) throws {
        guard status == 1 else {
            ERR_clear_error()
            throw CryptoError.openSSL(step)
        }
    }
}
