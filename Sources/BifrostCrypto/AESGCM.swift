import COpenSSL

/// AES-256-GCM through OpenSSL's EVP interface: authenticated encryption with associated data.
///
/// `seal` takes a fresh 96-bit nonce from the operating system's CSPRNG for every call (`NonceBatches`; random
/// nonces are safe for far more than 2^32 messages per key, which data keys never approach), and returns
/// `nonce ‖ ciphertext ‖ tag`. The associated data is authenticated but not stored: a value opened with other
/// associated data (another organisation, another name, another key version) fails, so a ciphertext copied to
/// another row is useless.
public enum AESGCM {
    /// Bytes of the nonce at the start of a sealed value.
    public static let nonceByteCount = 12
    /// Bytes of the authentication tag at the end of a sealed value.
    public static let tagByteCount = 16

    /// The cipher, fetched from OpenSSL's default provider once (an implicit fetch on every operation costs
    /// more than the encryption of a short value). Immutable after the fetch; OpenSSL cipher objects may be
    /// shared between threads.
    nonisolated(unsafe) static let cipher: OpaquePointer = {
        guard let cipher = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) else {
            preconditionFailure("OpenSSL has no AES-256-GCM (is the default provider available?)")
        }
        return cipher
    }()

    /// Encrypts `plaintext` under `key` with a fresh random nonce. - Returns: `nonce ‖ ciphertext ‖ tag`.
    public static func seal(_ plaintext: [UInt8], key: SecretKey, associatedData: [UInt8] = []) throws -> [UInt8] {
        try bytes(capacity: nonceByteCount + plaintext.count + tagByteCount, wipe: false) { out in
            let nonce = UnsafeMutableBufferPointer(rebasing: out[..<nonceByteCount])
            try NonceBatches.shared.fill(UnsafeMutableRawBufferPointer(nonce))
            try plaintext.withUnsafeBufferPointer { input in
                try associatedData.withUnsafeBufferPointer { aad in
                    try encrypt(
                        input, key: key, nonce: UnsafeBufferPointer(nonce), aad: aad,
                        into: UnsafeMutableBufferPointer(rebasing: out[nonceByteCount...])
                    )
                }
            }
            return out.count
        }
    }

    /// Decrypts a value `seal` produced. - Throws: `CryptoError.authenticationFailed` for a wrong key, wrong
    /// associated data or an altered value; nothing of the plaintext is returned then.
    public static func open(_ sealed: [UInt8], key: SecretKey, associatedData: [UInt8] = []) throws -> [UInt8] {
        try sealed.withUnsafeBufferPointer { try open(sealedBytes: $0, key: key, associatedData: associatedData) }
    }

    /// Decrypts a value `seal` produced, given as any collection of bytes (a database buffer's view, say): in
    /// place when its bytes are contiguous, from a copy otherwise.
    public static func open(_ sealed: some Collection<UInt8>, key: SecretKey, associatedData: [UInt8] = []) throws
        -> [UInt8]
    {
        let opened = try sealed.withContiguousStorageIfAvailable {
            try open(sealedBytes: $0, key: key, associatedData: associatedData)
        }
        return try opened ?? open(Array(sealed), key: key, associatedData: associatedData)
    }

    /// Encrypts with a given nonce (known-answer tests; `seal(_:key:associatedData:)` for everything else: a
    /// nonce must never be used twice with one key). - Returns: the ciphertext and the 16-byte tag.
    public static func seal(_ plaintext: [UInt8], key: SecretKey, nonce: [UInt8], associatedData: [UInt8]) throws
        -> (ciphertext: [UInt8], tag: [UInt8])
    {
        guard nonce.count == nonceByteCount else { throw CryptoError.invalidNonceSize(nonce.count) }
        var out = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        try out.withUnsafeMutableBufferPointer { output in
            try plaintext.withUnsafeBufferPointer { input in
                try nonce.withUnsafeBufferPointer { iv in
                    try associatedData.withUnsafeBufferPointer { aad in
                        try encrypt(input, key: key, nonce: iv, aad: aad, into: output)
                    }
                }
            }
        }
        return (Array(out[..<plaintext.count]), Array(out[plaintext.count...]))
    }

    /// Decrypts and authenticates with the parts given separately.
    public static func open(
        ciphertext: [UInt8], key: SecretKey, nonce: [UInt8], tag: [UInt8], associatedData: [UInt8]
    ) throws -> [UInt8] {
        guard nonce.count == nonceByteCount else { throw CryptoError.invalidNonceSize(nonce.count) }
        guard tag.count == tagByteCount else { throw CryptoError.malformedCiphertext }
        return try ciphertext.withUnsafeBufferPointer { input in
            try nonce.withUnsafeBufferPointer { iv in
                try tag.withUnsafeBufferPointer { expected in
                    try associatedData.withUnsafeBufferPointer { aad in
                        try decrypt(input, key: key, nonce: iv, tag: expected, aad: aad)
                    }
                }
            }
        }
    }

    /// Opens `nonce ‖ ciphertext ‖ tag`.
    private static func open(sealedBytes sealed: UnsafeBufferPointer<UInt8>, key: SecretKey, associatedData: [UInt8])
        throws -> [UInt8]
    {
        guard sealed.count >= nonceByteCount + tagByteCount else { throw CryptoError.malformedCiphertext }
        return try associatedData.withUnsafeBufferPointer { aad in
            try decrypt(
                UnsafeBufferPointer(rebasing: sealed[nonceByteCount..<(sealed.count - tagByteCount)]), key: key,
                nonce: UnsafeBufferPointer(rebasing: sealed[..<nonceByteCount]),
                tag: UnsafeBufferPointer(rebasing: sealed[(sealed.count - tagByteCount)...]), aad: aad
            )
        }
    }

    /// Writes `ciphertext ‖ tag` of `input` into `output` (`input.count + 16` bytes).
    private static func encrypt(
        _ input: UnsafeBufferPointer<UInt8>, key: SecretKey, nonce: UnsafeBufferPointer<UInt8>,
        aad: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>
    ) throws {
        try key.withAESGCMContext(encrypting: true, cipher: cipher) { context in
            // The context is keyed already: only the nonce is set (which also restarts the GHASH state).
            try check(EVP_EncryptInit_ex(context, nil, nil, nil, nonce.baseAddress), "EncryptInit")
            var length: Int32 = 0
            if !aad.isEmpty {
                try check(
                    EVP_EncryptUpdate(context, nil, &length, aad.baseAddress, Int32(aad.count)), "EncryptUpdate aad")
            }
            if !input.isEmpty {
                try check(
                    EVP_EncryptUpdate(context, output.baseAddress, &length, input.baseAddress, Int32(input.count)),
                    "EncryptUpdate")
            }
            try check(EVP_EncryptFinal_ex(context, output.baseAddress! + input.count, &length), "EncryptFinal")
            try check(
                EVP_CIPHER_CTX_ctrl(
                    context, BIFROST_EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), output.baseAddress! + input.count),
                "GET_TAG"
            )
        }
    }

    private static func decrypt(
        _ input: UnsafeBufferPointer<UInt8>, key: SecretKey, nonce: UnsafeBufferPointer<UInt8>,
        tag: UnsafeBufferPointer<UInt8>, aad: UnsafeBufferPointer<UInt8>
    ) throws -> [UInt8] {
        try key.withAESGCMContext(encrypting: false, cipher: cipher) { context in
            try check(EVP_DecryptInit_ex(context, nil, nil, nil, nonce.baseAddress), "DecryptInit")
            var length: Int32 = 0
            if !aad.isEmpty {
                try check(
                    EVP_DecryptUpdate(context, nil, &length, aad.baseAddress, Int32(aad.count)), "DecryptUpdate aad")
            }
            // Room for what Final writes (nothing, for GCM) past the plaintext. The buffer is wiped afterwards, also
            // when the tag does not match: none of that plaintext may be returned or linger.
            return try bytes(capacity: input.count + tagByteCount, wipe: true) { out in
                if !input.isEmpty {
                    try check(
                        EVP_DecryptUpdate(context, out.baseAddress, &length, input.baseAddress, Int32(input.count)),
                        "DecryptUpdate")
                }
                try check(
                    EVP_CIPHER_CTX_ctrl(
                        context, BIFROST_EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount),
                        UnsafeMutableRawPointer(mutating: tag.baseAddress)),
                    "SET_TAG"
                )
                guard EVP_DecryptFinal_ex(context, out.baseAddress! + input.count, &length) > 0 else {
                    throw CryptoError.authenticationFailed
                }
                return input.count
            }
        }
    }

    /// A new array of the first bytes `write` writes into a temporary buffer of `capacity` bytes, returning how
    /// many; `wipe` clears the buffer afterwards, whatever happens.
    ///
    /// Why through a temporary buffer (not `Array(unsafeUninitializedCapacity:)`, which would save a copy): that
    /// initialiser allocates through an unspecialised standard-library function that looks the array storage type
    /// up in the runtime's metadata cache on every call (about 300 instructions), where copying from a buffer
    /// allocates through code specialised here: 5 % fewer instructions per seal and open pair, copy included.
    private static func bytes(
        capacity: Int, wipe: Bool, _ write: (UnsafeMutableBufferPointer<UInt8>) throws -> Int
    ) throws -> [UInt8] {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            defer { if wipe { OPENSSL_cleanse(buffer.baseAddress, buffer.count) } }
            let count = try write(buffer)
            return Array(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    private static func check(_ status: Int32, _ step: String) throws {
        guard status == 1 else {
            ERR_clear_error()
            throw CryptoError.openSSL(step)
        }
    }
}
