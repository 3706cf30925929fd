import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns a host name into the addresses it names now; `system` asks the operating system's resolver
/// (`getaddrinfo`, so `/etc/hosts` too), tests may give their own.
public struct HostResolver: Sendable {
    /// A host name that resolves to no address.
    public struct NotResolved: Error, Sendable, Hashable {}

    let resolve: @Sendable (String) async throws -> [IPAddress]

    /// A resolver that answers with `resolve`.
    public init(_ resolve: @escaping @Sendable (String) async throws -> [IPAddress]) {
        self.resolve = resolve
    }

    /// The addresses `host` names. - Throws: `NotResolved` when there are none.
    public func addresses(of host: String) async throws -> [IPAddress] {
        let found = try await resolve(host)
        guard !found.isEmpty else { throw NotResolved() }
        return found
    }

    /// `getaddrinfo` on SwiftNIO's threads for blocking work (it may wait on the network).
    public static let system = HostResolver { host in
        try await NIOThreadPool.singleton.runIfActive { try lookUp(host) }
    }

    private static func lookUp(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { throw NotResolved() }
        defer { freeaddrinfo(first) }
        var found: [IPAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let info = node?.pointee {
            if let address = info.ai_addr {
                switch info.ai_family {
                case AF_INET:
                    var v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    if let parsed = IPAddress(bytes: withUnsafeBytes(of: &v4) { Array($0) }) { found.append(parsed) }
                case AF_INET6:
                    var v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    if let parsed = IPAddress(bytes: withUnsafeBytes(of: &v6) { Array($0) }) { found.append(parsed) }
                default:
                    break
                }
            }
            node = info.ai_next
        }
        return found.reduce(into: []) { unique, address in if !unique.contains(address) { unique.append(address) } }
    }
}
