/// Stand-ins for the two BifrostCrypto types that call OpenSSL, used by `scripts/fuzz` only where the OpenSSL
/// headers (libssl-dev) are missing. The harness needs `sign` and `verify` to agree, not a real MAC: this one is
/// a keyed FNV-1a mix, 32 bytes long like HMAC-SHA256's.
public enum HMACSHA256 {
    public static func authenticationCode(for message: some Collection<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        precondition(!key.isEmpty, "an HMAC key must not be empty")
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for byte in message { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return (0..<32).map { index in
            state = (state ^ UInt64(index)) &* 0x100_0000_01b3
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }
}

/// Byte comparison with the real one's contract (see `HMACSHA256` for why a stand-in).
public enum ConstantTime {
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        Array(a) == Array(b)
    }
}
