#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address, and the kind of network it belongs to: what `ProviderURLPolicy` judges before
/// credentials are sent to it.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of address that matter for where credentials may go.
    public enum Range: Sendable, Hashable {
        /// Anywhere on the internet.
        case publicInternet
        /// This machine: 127.0.0.0/8, ::1.
        case loopback
        /// RFC 1918 (10/8, 172.16/12, 192.168/16) and IPv6 site-local (fec0::/10) and NAT64 local-use networks.
        case privateNetwork
        /// Carrier-grade NAT, RFC 6598: 100.64.0.0/10.
        case sharedAddressSpace
        /// 169.254.0.0/16, fe80::/10.
        case linkLocal
        /// fc00::/7.
        case uniqueLocal
        /// Cloud instance metadata services (169.254.169.254, 169.254.170.2, 169.254.170.23, 100.100.100.200,
        /// fd00:ec2::254, fd00:ec2::23): never a provider.
        case metadata
        /// Unspecified, documentation, benchmarking, multicast, broadcast and other special-purpose addresses.
        case reserved
    }

    /// 4 bytes (IPv4) or 16 (IPv6), in network order.
    public let bytes: [UInt8]

    /// The address of `bytes`; nil unless there are 4 or 16.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses the standard text form (`192.0.2.1`, `2001:db8::1`, `::ffff:10.0.0.1`, with or without brackets);
    /// nil for anything else, host names included.
    public init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, String(text), &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, String(text), &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    /// Whether this is an IPv6 address.
    public var isIPv6: Bool { bytes.count == 16 }

    /// The standard text form, without brackets.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { raw in
            inet_ntop(isIPv6 ? AF_INET6 : AF_INET, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The kind of network the address belongs to. An IPv6 address that carries an IPv4 one (IPv4-mapped,
    /// IPv4-compatible, IPv4-translated, 6to4, NAT64) is judged by that IPv4 address.
    public var range: Range {
        if let embedded { return embedded.range }
        return isIPv6 ? Self.range(ofV6: bytes) : Self.range(ofV4: bytes)
    }

    /// The IPv4 address an IPv6 address carries, if it is of a form that does.
    var embedded: IPAddress? {
        guard isIPv6 else { return nil }
        let zeros = { (range: Swift.Range<Int>) in range.allSatisfy { bytes[$0] == 0 } }
        // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated)
        if zeros(0..<10), bytes[10] == 0xff, bytes[11] == 0xff { return IPAddress(bytes: Array(bytes[12..<16])) }
        if zeros(0..<8), bytes[8] == 0xff, bytes[9] == 0xff, zeros(10..<12) {
            return IPAddress(bytes: Array(bytes[12..<16]))
        }
        // ::a.b.c.d (compatible, deprecated), but not :: or ::1
        if zeros(0..<12), !zeros(12..<15) { return IPAddress(bytes: Array(bytes[12..<16])) }
        // 64:ff9b::a.b.c.d (NAT64, well-known prefix)
        if bytes[0] == 0x00, bytes[1] == 0x64, bytes[2] == 0xff, bytes[3] == 0x9b, zeros(4..<12) {
            return IPAddress(bytes: Array(bytes[12..<16]))
        }
        // 2002:aabb:ccdd::/48 (6to4)
        if bytes[0] == 0x20, bytes[1] == 0x02 { return IPAddress(bytes: Array(bytes[2..<6])) }
        return nil
    }

    private static let metadataAddresses: Set<[UInt8]> = [
        [169, 254, 169, 254], [169, 254, 170, 2], [169, 254, 170, 23], [100, 100, 100, 200],
        [0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54],
        [0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x23],
    ]

    private static func range(ofV4 b: [UInt8]) -> Range {
        if metadataAddresses.contains(b) { return .metadata }
        switch (b[0], b[1], b[2]) {
        case (127, _, _): return .loopback
        case (10, _, _), (172, 16...31, _), (192, 168, _): return .privateNetwork
        case (100, 64...127, _): return .sharedAddressSpace
        case (169, 254, _): return .linkLocal
        case (0, _, _), (192, 0, 0), (192, 0, 2), (198, 18...19, _), (198, 51, 100), (203, 0, 113), (224...255, _, _):
            return .reserved
        default: return .publicInternet
        }
    }

    private static func range(ofV6 b: [UInt8]) -> Range {
        if metadataAddresses.contains(b) { return .metadata }
        if b[0..<15].allSatisfy({ $0 == 0 }) { return b[15] == 1 ? .loopback : .reserved }
        switch (b[0], b[1]) {
        case (0xfc...0xfd, _): return .uniqueLocal
        case (0xfe, 0x80...0xbf): return .linkLocal
        case (0xfe, 0xc0...0xff): return .privateNetwork
        case (0xff, _): return .reserved
        default: break
        }
        // 64:ff9b:1::/48, NAT64 local use
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b, b[4] == 0x00, b[5] == 0x01 { return .privateNetwork }
        // 2001:db8::/32 documentation, 2001::/23 IETF protocol assignments (Teredo among them), 100::/64 discard
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return .reserved }
        if b[0] == 0x20, b[1] == 0x01, b[2] < 0x02 { return .reserved }
        if b[0] == 0x01, b[1] == 0x00, b[2..<8].allSatisfy({ $0 == 0 }) { return .reserved }
        // Only 2000::/3 is allocated for global unicast.
        return (0x20...0x3f).contains(b[0]) ? .publicInternet : .reserved
    }
}
