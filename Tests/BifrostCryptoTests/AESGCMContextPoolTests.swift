import BifrostCrypto
import Testing

/// AES-256-GCM with the keyed contexts each `SecretKey` keeps and reuses: reuse must never change an answer,
/// mix keys up, or carry a failed operation's state into the next.
@Suite struct AESGCMContextPoolTests {
    private func bytes(_ hex: String) -> [UInt8] { [UInt8](hex: hex) }

    /// GCM specification test cases 15 and 16 (one key, two messages), each checked three times on one
    /// `SecretKey` between other seals and opens and a failed open, so that most checks run on reused contexts.
    @Test func knownAnswersHoldOnReusedContexts() throws {
        let key = try SecretKey(bytes: bytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"))
        let nonce = bytes("cafebabefacedbaddecaf888")
        let plaintext = bytes(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
        )
        let ciphertext = bytes(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
        )
        let vectors = [
            (
                plaintext: plaintext, aad: [UInt8](), ciphertext: ciphertext,
                tag: bytes("b094dac5d93471bdec1a502270e3cc6c")
            ),
            (
                plaintext: Array(plaintext.prefix(60)), aad: bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2"),
                ciphertext: Array(ciphertext.prefix(60)), tag: bytes("76fc6ece0f4e1768cddf8853bb2d551b")
            ),
        ]
        for round in 0..<3 {
            for vector in vectors {
                let sealed = try AESGCM.seal(vector.plaintext, key: key, nonce: nonce, associatedData: vector.aad)
                #expect(sealed.ciphertext == vector.ciphertext, "round \(round)")
                #expect(sealed.tag == vector.tag, "round \(round)")
                let opened = try AESGCM.open(
                    ciphertext: vector.ciphertext, key: key, nonce: nonce, tag: vector.tag, associatedData: vector.aad
                )
                #expect(opened == vector.plaintext, "round \(round)")
                // Leave the contexts in other states before the next check: a longer value, other data, a failure.
                let other = try AESGCM.seal(SecureRandom.bytes(1000), key: key, associatedData: [1, 2, 3])
                #expect(try AESGCM.open(other, key: key, associatedData: [1, 2, 3]).count == 1000)
                #expect(throws: CryptoError.authenticationFailed) {
                    try AESGCM.open(
                        ciphertext: vector.ciphertext, key: key, nonce: nonce, tag: [UInt8](repeating: 0, count: 16),
                        associatedData: vector.aad
                    )
                }
            }
        }
    }

    /// Concurrent tasks seal and open under two keys at once. A context shared between keys would seal under the
    /// wrong key (caught by opening with a twin key, which has contexts of its own) or open what the other key
    /// sealed; one shared between tasks would garble values.
    @Test func concurrentSealsAndOpensUnderTwoKeysRoundTrip() async throws {
        let keyBytes = [SecureRandom.bytes(SecretKey.byteCount), SecureRandom.bytes(SecretKey.byteCount)]
        let keys = try keyBytes.map { try SecretKey(bytes: $0) }
        let twins = try keyBytes.map { try SecretKey(bytes: $0) }
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var failures = 0
                    for iteration in 0..<300 {
                        let which = (task + iteration) % 2
                        let plaintext = SecureRandom.bytes(1 + (task * 31 + iteration * 7) % 300)
                        let context = Array("task \(task) iteration \(iteration)".utf8)
                        let sealed = try AESGCM.seal(plaintext, key: keys[which], associatedData: context)
                        if try AESGCM.open(sealed, key: keys[which], associatedData: context) != plaintext {
                            failures += 1
                        }
                        if try AESGCM.open(sealed, key: twins[which], associatedData: context) != plaintext {
                            failures += 1
                        }
                        if (try? AESGCM.open(sealed, key: keys[1 - which], associatedData: context)) != nil {
                            failures += 1
                        }
                    }
                    return failures
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(failures == 0)
    }

    /// A failed open (wrong associated data, altered tag, altered ciphertext) leaves the key fully usable.
    @Test func aFailedOpenDoesNotSpoilTheNextOne() throws {
        let key = SecretKey.random()
        let context = Array("org:1f0c|secret:graph_client_secret|key:3".utf8)
        let plaintext = SecureRandom.bytes(256)
        let sealed = try AESGCM.seal(plaintext, key: key, associatedData: context)
        for attempt in 0..<(3 * 8) {
            var altered = sealed
            switch attempt % 3 {
            case 0: altered[altered.count - 1] ^= 0x80
            case 1: altered[AESGCM.nonceByteCount] ^= 0x01
            default: break
            }
            let wrongContext = attempt % 3 == 2 ? Array("org:2b7d".utf8) : context
            #expect(throws: CryptoError.authenticationFailed, "attempt \(attempt)") {
                try AESGCM.open(altered, key: key, associatedData: wrongContext)
            }
            #expect(try AESGCM.open(sealed, key: key, associatedData: context) == plaintext, "attempt \(attempt)")
            let resealed = try AESGCM.seal(plaintext, key: key, associatedData: context)
            #expect(try AESGCM.open(resealed, key: key, associatedData: context) == plaintext, "attempt \(attempt)")
        }
    }

    @Test func sealingTheSameValueTwiceGivesDifferentNoncesAndCiphertexts() throws {
        let key = SecretKey.random()
        let plaintext = Array("the same secret".utf8)
        let first = try AESGCM.seal(plaintext, key: key, associatedData: [7])
        let second = try AESGCM.seal(plaintext, key: key, associatedData: [7])
        #expect(first.prefix(AESGCM.nonceByteCount) != second.prefix(AESGCM.nonceByteCount))
        #expect(first.dropFirst(AESGCM.nonceByteCount) != second.dropFirst(AESGCM.nonceByteCount))
        #expect(try AESGCM.open(first, key: key, associatedData: [7]) == plaintext)
        #expect(try AESGCM.open(second, key: key, associatedData: [7]) == plaintext)
    }

    /// `open` of any collection: an array slice not starting at index 0 (contiguous) and a lazy view (not), as well
    /// as empty plaintext.
    @Test func opensSlicesViewsAndEmptyValues() throws {
        let key = SecretKey.random()
        let plaintext = SecureRandom.bytes(100)
        let sealed = try AESGCM.seal(plaintext, key: key, associatedData: [9])
        let padded = [0xff, 0xfe] + sealed + [0xfd]
        #expect(try AESGCM.open(padded[2..<(padded.count - 1)], key: key, associatedData: [9]) == plaintext)
        #expect(try AESGCM.open(sealed.lazy.map { $0 }, key: key, associatedData: [9]) == plaintext)
        #expect(throws: CryptoError.authenticationFailed) {
            try AESGCM.open(padded[1..<(padded.count - 1)], key: key, associatedData: [9])
        }
        let empty = try AESGCM.seal([], key: key, associatedData: [9])
        #expect(empty.count == AESGCM.nonceByteCount + AESGCM.tagByteCount)
        #expect(try AESGCM.open(empty, key: key, associatedData: [9]) == [])
        #expect(try AESGCM.open(empty[...], key: key, associatedData: [9]) == [])
    }
}
