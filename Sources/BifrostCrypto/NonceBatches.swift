import COpenSSL
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Random 96-bit nonces for `AESGCM.seal`, drawn from the operating system's CSPRNG a batch at a time.
///
/// Why batches: a draw is a system call (`getentropy`, 300–450 ns on the benchmark machine), which cost more
/// than sealing a 256-byte value with a keyed context, and one call yields up to 256 bytes: 21 nonces. OpenSSL's
/// `RAND_bytes` is slower still per call (~900 ns: OpenSSL 3.0's CTR-DRBG re-keys itself after every request).
///
/// Nonces are public, so the rest of a batch waiting in memory is no secret; each nonce is handed out once. What
/// must never happen is two processes using the same ones, and a child made by `fork` inherits the batch: a
/// `pthread_atfork` handler bumps the fork generation in the child, and a batch filled in an earlier generation is
/// discarded unused. (Should the handler fail to install, every nonce is drawn on its own.)
final class NonceBatches: Sendable {
    /// Bytes of a nonce.
    static let nonceByteCount = 12
    /// Nonces a batch holds: `getentropy` gives at most 256 bytes a call.
    static let noncesPerBatch = 21

    /// The batches `AESGCM.seal` draws from.
    static let shared = NonceBatches()

    private struct Batch {
        var bytes = [UInt8](repeating: 0, count: NonceBatches.noncesPerBatch * NonceBatches.nonceByteCount)
        /// The index of the next unused nonce; `noncesPerBatch` when all are used (or none drawn yet).
        var next = NonceBatches.noncesPerBatch
        /// The fork generation the bytes were drawn in.
        var generation = 0
    }

    private let batch = Mutex(Batch())
    private let draw: @Sendable (UnsafeMutableRawBufferPointer) -> Bool

    /// Batches filled by `draw`, which fills a buffer with random bytes and says whether it could (tests give a
    /// predictable one).
    init(draw: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Bool = NonceBatches.systemRandom) {
        self.draw = draw
    }

    /// Fills `nonce` (12 bytes) with a nonce no other call has been given.
    /// - Throws: `CryptoError.openSSL` when no random bytes could be drawn.
    func fill(_ nonce: UnsafeMutableRawBufferPointer) throws {
        precondition(nonce.count == Self.nonceByteCount, "a nonce is 12 bytes")
        guard Self.forkHandlerInstalled else {
            guard draw(nonce) else { throw CryptoError.openSSL("RAND_bytes") }
            return
        }
        try batch.withLock { batch in
            let generation = Self.forkGeneration.load(ordering: .relaxed)
            if batch.next == Self.noncesPerBatch || batch.generation != generation {
                guard batch.bytes.withUnsafeMutableBytes(draw) else { throw CryptoError.openSSL("RAND_bytes") }
                batch.next = 0
                batch.generation = generation
            }
            let start = batch.next * Self.nonceByteCount
            batch.bytes.withUnsafeBytes { bytes in
                nonce.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + Self.nonceByteCount)]))
            }
            batch.next += 1
        }
    }

    /// Fills `buffer` (at most 256 bytes) from `getentropy`, the kernel generator that OpenSSL's own is seeded
    /// from, or from OpenSSL's should that fail.
    static func systemRandom(_ buffer: UnsafeMutableRawBufferPointer) -> Bool {
        if getentropy(buffer.baseAddress, buffer.count) == 0 { return true }
        return RAND_bytes(buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(buffer.count)) == 1
    }

    /// Increases with every `fork`, in the child.
    private static let forkGeneration = Atomic<Int>(0)

    private static let forkHandlerInstalled: Bool = {
        _ = forkGeneration.load(ordering: .relaxed)
        return pthread_atfork(nil, nil, { NonceBatches.processForked() }) == 0
    }()

    /// What the `pthread_atfork` handler does in a child process: makes every batch drawn before stale.
    static func processForked() { forkGeneration.add(1, ordering: .relaxed) }
}
