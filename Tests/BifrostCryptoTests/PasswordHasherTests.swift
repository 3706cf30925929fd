import Testing

@testable import BifrostCrypto

@Suite struct PasswordHasherTests {
    /// PBKDF2-HMAC-SHA256 vectors (RFC 7914 §11 style, P = "password", S = "salt", dkLen = 32).
    @Test(arguments: [
        (1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        (2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        (4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
    ])
    func derivesTheKnownPBKDF2Vectors(iterations: Int, expected: String) {
        let stored =
            "pbkdf2-sha256$\(iterations)$\(Base64.encode(Array("salt".utf8)))$"
            + Base64.encode([UInt8](hex: expected))
        #expect(PasswordHasher().verify("password", against: stored))
        #expect(!PasswordHasher().verify("passwore", against: stored))
    }

    @Test func hashesAreSaltedAndVerify() {
        let hasher = PasswordHasher(iterations: 1_000)
        let first = hasher.hash("correct horse")
        let second = hasher.hash("correct horse")
        #expect(first != second)
        #expect(first.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(hasher.verify("correct horse", against: first))
        #expect(!hasher.verify("correct horsE", against: first))
    }

    @Test func defaultWorkFactorIsAtLeast600000() {
        #expect(PasswordHasher().iterations >= 600_000)
        #expect(PasswordHasher().hash("x").hasPrefix("pbkdf2-sha256$600000$"))
    }

    @Test(arguments: ["", "plain", "pbkdf2-sha256$x$abc$def", "bcrypt$1$a$b", "pbkdf2-sha256$0$YQ==$YQ=="])
    func malformedStoredHashesNeverVerify(_ stored: String) {
        #expect(!PasswordHasher().verify("anything", against: stored))
    }
}

@Suite struct PrimitivesTests {
    @Test func sha256MatchesTheKnownDigest() {
        #expect(SHA256Digest.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func constantTimeEqualityComparesContentAndLength() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }

    @Test func randomBytesDoNotRepeat() {
        let samples = Set((0..<1_000).map { _ in SecureRandom.bytes(16) })
        #expect(samples.count == 1_000)
        #expect(SecureRandom.bytes(32).count == 32)
    }

    @Test func urlSafeBase64HasNoPaddingOrUnsafeCharacters() {
        let text = Base64.urlSafe([0xFB, 0xFF, 0xFE, 0x01])
        #expect(!text.contains("+") && !text.contains("/") && !text.contains("="))
    }
}
