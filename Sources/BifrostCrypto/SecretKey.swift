import COpenSSL

/// Key material: 32 bytes for AES-256, held in one buffer that is wiped (`OPENSSL_cleanse`) when the key is
/// released, so a key evicted from a cache does not linger in freed memory.
///
/// The key also keeps the AES-256-GCM contexts `AESGCM` keyed with it (see `AESGCMContextPool`); they are freed,
/// and so wiped, with it.
///
/// Sendable by hand: the buffer is written once, in `init`, and only read afterwards; the context pool has its
/// own lock.
public final class SecretKey: @unchecked Sendable {
    /// Bytes of an AES-256 key.
    public static let byteCount = 32

    private let storage: UnsafeMutableRawBufferPointer

    /// AES-256-GCM contexts keyed with this key, made on first use.
    private let aesGCMContexts = AESGCMContextPool()

    /// A key holding a copy of `bytes`.
    /// - Throws: `CryptoError.invalidKeySize` unless there are exactly 32.
    public init(bytes: some Collection<UInt8>) throws {
        guard bytes.count == Self.byteCount else { throw CryptoError.invalidKeySize(bytes.count) }
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.byteCount, alignment: 16)
        storage.copyBytes(from: bytes)
    }

    /// A fresh random key from OpenSSL's CSPRNG.
    public static func random() -> SecretKey {
        var bytes = SecureRandom.bytes(byteCount)
        defer { bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        // 32 random bytes are always a valid key.
        return try! SecretKey(bytes: bytes)
    }

    /// Calls `body` with the key's bytes; they must not escape it.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(storage))
    }

    /// Calls `body` with an AES-256-GCM context keyed with this key for encryption (or decryption) and no nonce
    /// yet; the context is `body`'s alone until it returns, and must not escape it.
    func withAESGCMContext<Result>(encrypting: Bool, cipher: OpaquePointer, _ body: (OpaquePointer) throws -> Result)
        throws -> Result
    {
        try aesGCMContexts.withContext(
            encrypting: encrypting, cipher: cipher, key: UnsafeRawBufferPointer(storage), body)
    }

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }
}

/// Why an encryption operation failed. Messages never contain key material or plaintext.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key that is not 32 bytes.
    case invalidKeySize(Int)
    /// A nonce that is not 12 bytes.
    case invalidNonceSize(Int)
    /// A sealed value too short to hold a nonce and a tag, or in an unknown format.
    case malformedCiphertext
    /// The tag does not match: wrong key, wrong associated data, or a ciphertext that was altered.
    case authenticationFailed
    /// OpenSSL refused an operation it should not refuse.
    case openSSL(String)

    public var description: String {
        switch self {
        case .invalidKeySize(let count): "a key must be 32 bytes, not \(count)"
        case .invalidNonceSize(let count): "a nonce must be 12 bytes, not \(count)"
        case .malformedCiphertext: "the sealed value is malformed"
        case .authenticationFailed: "the sealed value does not authenticate (wrong key, wrong context or altered)"
        case .openSSL(let step): "OpenSSL failed at \(step)"
        }
    }
}
