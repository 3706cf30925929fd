import BifrostCrypto
import Testing

/// HMAC-SHA256 through OpenSSL reproduces RFC 4231's test cases.
@Suite struct HMACTests {
    @Test func rfc4231TestCases() {
        // Test case 1: a 20-byte key of 0x0b, "Hi There".
        #expect(
            HMACSHA256.authenticationCode(for: Array("Hi There".utf8), key: [UInt8](repeating: 0x0b, count: 20))
                .hexString
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        )
        // Test case 2: key "Jefe".
        #expect(
            HMACSHA256.authenticationCode(for: Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))
                .hexString
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )
        // Test case 6: a 131-byte key (longer than the block size), hashed first.
        #expect(
            HMACSHA256.authenticationCode(
                for: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                key: [UInt8](repeating: 0xaa, count: 131)
            ).hexString == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        )
    }
}
