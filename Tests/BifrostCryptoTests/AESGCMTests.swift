import BifrostCrypto
import Testing

/// AES-256-GCM through OpenSSL's EVP interface: published answers, tampering, nonces.
@Suite struct AESGCMTests {
    private func bytes(_ hex: String) -> [UInt8] { [UInt8](hex: hex) }

    /// Test cases 13–16 of the GCM specification (McGrew and Viega), the AES-256 ones, as NIST's validation
    /// suite also uses them.
    @Test(arguments: [
        (
            key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12), plaintext: "", aad: "",
            ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"
        ),
        (
            key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
            plaintext: String(repeating: "00", count: 16), aad: "",
            ciphertext: "cea7403d4d606b6e074ec5d3baf39d18", tag: "d0d1c8a799996bf0265b98b5d48ab919"
        ),
        (
            key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", nonce: "cafebabefacedbaddecaf888",
            plaintext:
                "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
            aad: "",
            ciphertext:
                "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
            tag: "b094dac5d93471bdec1a502270e3cc6c"
        ),
        (
            key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", nonce: "cafebabefacedbaddecaf888",
            plaintext:
                "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            ciphertext:
                "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
            tag: "76fc6ece0f4e1768cddf8853bb2d551b"
        ),
    ])
    func knownAnswers(key: String, nonce: String, plaintext: String, aad: String, ciphertext: String, tag: String)
        throws
    {
        let secret = try SecretKey(bytes: bytes(key))
        let sealed = try AESGCM.seal(bytes(plaintext), key: secret, nonce: bytes(nonce), associatedData: bytes(aad))
        #expect(sealed.ciphertext == bytes(ciphertext))
        #expect(sealed.tag == bytes(tag))
        let opened = try AESGCM.open(
            ciphertext: bytes(ciphertext), key: secret, nonce: bytes(nonce), tag: bytes(tag), associatedData: bytes(aad)
        )
        #expect(opened == bytes(plaintext))
    }

    @Test func anyChangeToCiphertextTagNonceOrContextFailsToOpen() throws {
        let key = SecretKey.random()
        let context = Array("org:1f0c|secret:graph_client_secret|key:3".utf8)
        let sealed = try AESGCM.seal(Array("s3cr3t value".utf8), key: key, associatedData: context)
        #expect(try AESGCM.open(sealed, key: key, associatedData: context) == Array("s3cr3t value".utf8))
        // Every single-bit flip anywhere: nonce (first 12 bytes), ciphertext, tag (last 16).
        for index in sealed.indices {
            var altered = sealed
            altered[index] ^= 0x01
            #expect(throws: CryptoError.authenticationFailed, "byte \(index)") {
                try AESGCM.open(altered, key: key, associatedData: context)
            }
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try AESGCM.open(sealed, key: key, associatedData: Array("org:2b7d|secret:graph_client_secret|key:3".utf8))
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try AESGCM.open(sealed, key: SecretKey.random(), associatedData: context)
        }
        #expect(throws: CryptoError.malformedCiphertext) { try AESGCM.open(sealed.prefix(27), key: key) }
        #expect(throws: CryptoError.invalidKeySize(16)) { try SecretKey(bytes: [UInt8](repeating: 1, count: 16)) }
    }

    @Test func noncesNeverRepeatAcrossAHundredThousandSeals() throws {
        let key = SecretKey.random()
        var nonces = Set<[UInt8]>()
        for _ in 0..<100_000 {
            nonces.insert(Array(try AESGCM.seal([0x2a], key: key).prefix(AESGCM.nonceByteCount)))
        }
        #expect(nonces.count == 100_000)
    }
}
