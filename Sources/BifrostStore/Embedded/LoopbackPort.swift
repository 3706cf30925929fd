#if canImport(Glibc)
    import Glibc
#endif

/// TCP ports on 127.0.0.1.
package enum LoopbackPort {
    /// Whether nothing listens on `port` right now (a bind succeeds). Like PostgreSQL's own, the probe sets
    /// `SO_REUSEADDR`, so connections of a server that just stopped (in `TIME_WAIT`) do not make its port look
    /// taken, and a restarted cluster keeps its port.
    package static func isFree(_ port: Int) -> Bool {
        bind(port: port) != nil
    }

    /// A port the kernel considers free at this moment.
    package static func free() -> Int? {
        bind(port: 0)
    }

    /// Binds a socket to 127.0.0.1:`port`, closes it, and returns the port that was bound.
    private static func bind(port: Int) -> Int? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
