#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or one address): the proxies whose
/// forwarding headers the gateway believes (`http.trustedProxies`).
///
/// IPv4 addresses are compared as IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`), so a network written either way
/// matches a peer reported either way.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The network's 16 bytes (IPv4 mapped into IPv6).
    private let network: [UInt8]
    /// Leading bits that must match (0–128).
    private let prefixLength: Int
    public let description: String

    /// Parses `address` or `address/prefix`; nil when it is neither.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.bytes(of: String(parts[0])) else { return nil }
        let isIPv4 = !parts[0].contains(":")
        let maximum = isIPv4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...maximum).contains(given) else { return nil }
            length = given
        }
        self.prefixLength = isIPv4 ? length + 96 : length
        self.network = Self.masked(address, prefixLength: prefixLength)
        self.description = text
    }

    /// Whether `address` (text, IPv4 or IPv6) lies in this network.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return Self.masked(bytes, prefixLength: prefixLength) == network
    }

    /// The 16 bytes of an IPv4 or IPv6 address in text, IPv4 mapped into IPv6; nil for anything else.
    package static func bytes(of text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        if !text.contains(":") {
            var ipv4 = in_addr()
            guard inet_pton(AF_INET, text, &ipv4) == 1 else { return nil }
            bytes[10] = 0xFF
            bytes[11] = 0xFF
            withUnsafeBytes(of: &ipv4) { raw in
                for index in 0..<4 { bytes[12 + index] = raw[index] }
            }
            return bytes
        }
        var ipv6 = in6_addr()
        guard inet_pton(AF_INET6, text, &ipv6) == 1 else { return nil }
        withUnsafeBytes(of: &ipv6) { raw in
            for index in 0..<16 { bytes[index] = raw[index] }
        }
        return bytes
    }

    private static func masked(_ bytes: [UInt8], prefixLength: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = min(max(prefixLength - index * 8, 0), 8)
            return bits == 8 ? byte : byte & ~(UInt8(0xFF) >> bits)
        }
    }
}
