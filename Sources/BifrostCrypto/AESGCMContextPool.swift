import COpenSSL
import Synchronization

/// OpenSSL AES-256-GCM contexts already keyed with one key, kept with that key (`SecretKey`) for reuse.
///
/// Why pooled: keying a context (allocating it and its provider state, expanding the AES key schedule, computing
/// the GHASH table) cost more than sealing a 256-byte value with it. A keyed context only needs the next nonce
/// (`EVP_CipherInit_ex` with no cipher and no key), so each key keeps a few: an operation takes one from the free
/// list under the lock, uses it without the lock (a context serves one operation at a time) and gives it back.
/// Encryption and decryption contexts are kept apart because a context is initialised for one direction.
///
/// A context whose operation threw (OpenSSL failed, or the tag did not match) is freed, not given back, so no
/// operation ever starts from a state another left half-way. At most `capacity` idle contexts are kept per
/// direction; the rest are freed. `EVP_CIPHER_CTX_free` clears the key schedule, here and when the key goes.
struct AESGCMContextPool: ~Copyable, Sendable {
    /// Idle contexts kept per direction: more than the threads that seal or open with one key at once.
    static let capacity = 8

    /// A context pointer, owned by the free list or by the one operation that took it.
    private struct Context: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private struct FreeLists {
        var encrypting: [Context] = []
        var decrypting: [Context] = []
    }

    private let free = Mutex(FreeLists())

    /// An empty pool: contexts are made on first use.
    init() {}

    /// Calls `body` with a context initialised with `cipher` and `key` for encryption (or decryption), but no
    /// nonce: `body` sets it. The context is the caller's alone until `body` returns.
    func withContext<Result>(
        encrypting: Bool, cipher: OpaquePointer, key: UnsafeRawBufferPointer,
        _ body: (OpaquePointer) throws -> Result
    ) throws -> Result {
        let idle = free.withLock { encrypting ? $0.encrypting.popLast() : $0.decrypting.popLast() }
        let context = try idle?.pointer ?? Self.makeContext(encrypting: encrypting, cipher: cipher, key: key)
        let result: Result
        do {
            result = try body(context)
        } catch {
            EVP_CIPHER_CTX_free(context)
            throw error
        }
        let kept = free.withLock { lists in
            if encrypting {
                guard lists.encrypting.count < Self.capacity else { return false }
                lists.encrypting.append(Context(pointer: context))
            } else {
                guard lists.decrypting.count < Self.capacity else { return false }
                lists.decrypting.append(Context(pointer: context))
            }
            return true
        }
        if !kept { EVP_CIPHER_CTX_free(context) }
        return result
    }

    private static func makeContext(encrypting: Bool, cipher: OpaquePointer, key: UnsafeRawBufferPointer) throws
        -> OpaquePointer
    {
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("CIPHER_CTX_new") }
        let keyBytes = key.bindMemory(to: UInt8.self).baseAddress
        guard EVP_CipherInit_ex(context, cipher, nil, keyBytes, nil, encrypting ? 1 : 0) == 1 else {
            EVP_CIPHER_CTX_free(context)
            ERR_clear_error()
            throw CryptoError.openSSL("CipherInit")
        }
        return context
    }

    deinit {
        free.withLock { lists in
            for context in lists.encrypting + lists.decrypting { EVP_CIPHER_CTX_free(context.pointer) }
            lists = FreeLists()
        }
    }
}
