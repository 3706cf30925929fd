/// The proxies (load balancers) in front of the gateway whose `Forwarded` and `X-Forwarded-For` headers are
/// believed (`http.trustedProxies`); from anyone else those headers are ignored, so a client cannot choose the
/// address that throttles, rate limits and the audit see.
public struct TrustedProxies: Sendable, Hashable {
    public let ranges: [AddressRange]

    public init(_ ranges: [AddressRange] = []) { self.ranges = ranges }

    /// Whether `address` is one of the trusted proxies.
    public func trusts(_ address: String) -> Bool { ranges.contains { $0.contains(address) } }

    /// The client's address: the TCP peer, unless the peer is a trusted proxy; then the nearest hop the proxies
    /// recorded that is not itself trusted (`Forwarded: for=` when present, else `X-Forwarded-For`, read from the
    /// right). A hop that is not an address (`unknown`, an obfuscated name) ends the walk at the last trusted hop.
    public func clientAddress(peer: String?, forwarded: String?, forwardedFor: String?) -> String? {
        guard let peer, !ranges.isEmpty, trusts(peer) else { return peer }
        let hops = forwarded.map(Self.forwardedHops) ?? forwardedFor.map(Self.forwardedForHops) ?? []
        var client = peer
        for hop in hops.reversed() {
            guard let address = Self.address(of: hop) else { break }
            client = address
            if !trusts(address) { break }
        }
        return client
    }

    /// The `for=` values of a `Forwarded` header (RFC 7239), in order.
    package static func forwardedHops(_ header: String) -> [Substring] {
        header.split(separator: ",").compactMap { element in
            element.split(separator: ";").lazy.map { $0.trimmingPrefix(while: { $0 == " " || $0 == "\t" }) }
                .first { $0.lowercased().hasPrefix("for=") }
                .map { $0.dropFirst(4) }
        }
    }

    /// The entries of an `X-Forwarded-For` header, in order.
    package static func forwardedForHops(_ header: String) -> [Substring] {
        header.split(separator: ",")
    }

    /// An address from one hop, without quotes, brackets or port (`"[2001:db8::1]:4711"`, `192.0.2.1:80`); nil
    /// when it is not an IPv4 or IPv6 address.
    package static func address(of hop: Substring) -> String? {
        var text = hop.trimmingCharacters(in: " \t\"")
        if text.hasPrefix("[") {
            guard let end = text.firstIndex(of: "]") else { return nil }
            text = String(text[text.index(after: text.startIndex)..<end])
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = String(text[..<colon])
        }
        return AddressRange.bytes(of: text) == nil ? nil : text
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        String(drop { characters.contains($0) }.reversed().drop { characters.contains($0) }.reversed())
    }
}
