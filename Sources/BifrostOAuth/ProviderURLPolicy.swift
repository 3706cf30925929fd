public import Foundation

/// Where an OAuth connection's credentials may go: which token and authorize URLs an admin may set, and, checked
/// again right before every request to a provider (DNS answers change), which addresses the gateway connects to.
///
/// A URL must be `https` with a host, without a user name or password, and every address its host resolves to
/// must be on the public internet. Loopback addresses (and plain `http` to them) are allowed only with
/// `allowInsecureLoopback` (development and tests, where the provider runs on this machine); private, link-local,
/// unique-local and carrier-grade NAT addresses only with `allowPrivateNetworks` (and `https`). Cloud metadata and
/// other special-purpose addresses are never allowed.
public struct ProviderURLPolicy: Sendable {
    /// Allow a provider on this machine: loopback addresses, over `http` or `https`.
    public var allowInsecureLoopback: Bool
    /// Allow a provider on a private network (RFC 1918, unique-local, link-local, carrier-grade NAT), over `https`.
    public var allowPrivateNetworks: Bool
    /// Resolves host names; the system's resolver unless a test gives its own.
    public var resolver: HostResolver

    /// The defaults refuse anything but `https` to public addresses.
    public init(
        allowInsecureLoopback: Bool = false, allowPrivateNetworks: Bool = false, resolver: HostResolver = .system
    ) {
        self.allowInsecureLoopback = allowInsecureLoopback
        self.allowPrivateNetworks = allowPrivateNetworks
        self.resolver = resolver
    }

    /// Why a URL is refused; `description` is meant for the admin who set it (it names no address).
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// Not an absolute URL with a host.
        case notAURL
        /// Not `https` (and not `http` to a loopback address where that is allowed).
        case insecureScheme
        /// It carries a user name or password.
        case userInURL
        /// Its port is not 1 to 65535.
        case port
        /// Its host resolves to no address.
        case notResolved
        /// Its host is, or resolves to, an address of a range that is not allowed.
        case address(IPAddress.Range)

        public var description: String {
            switch self {
            case .notAURL: "must be an absolute https URL with a host"
            case .insecureScheme: "must be an https URL"
            case .userInURL: "must not contain a user name or password"
            case .port: "must have a port from 1 to 65535"
            case .notResolved: "names a host that does not resolve"
            case .address(let range): "must not point to \(Self.name(of: range))"
            }
        }

        private static func name(of range: IPAddress.Range) -> String {
            switch range {
            case .publicInternet: "this address"
            case .loopback: "a loopback address"
            case .privateNetwork: "a private network address"
            case .sharedAddressSpace: "a carrier-grade NAT address"
            case .linkLocal: "a link-local address"
            case .uniqueLocal: "a unique-local address"
            case .metadata: "a cloud metadata address"
            case .reserved: "a reserved address"
            }
        }
    }

    /// A URL that passed, and the address to connect to for it.
    public struct Destination: Sendable, Hashable {
        /// The URL as checked.
        public var url: URL
        /// Its host, as HTTP clients read it from the URL.
        public var host: String
        /// The checked address a request must connect to (so that a second lookup cannot answer differently);
        /// nil when the host is an address itself.
        public var pinnedAddress: IPAddress?
    }

    /// Checks `text`. - Returns: where to connect. - Throws: `Refusal`.
    public func check(_ text: String) async throws -> Destination {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty
        else { throw Refusal.notAURL }
        guard scheme == "https" || scheme == "http" else { throw Refusal.insecureScheme }
        guard url.user == nil, url.password == nil else { throw Refusal.userInURL }
        // HTTP clients turn the port into a 16-bit number and trap on anything larger.
        if let port = url.port, !(1...65_535).contains(port) { throw Refusal.port }
        let literal = IPAddress(host)
        let addresses: [IPAddress]
        if let literal {
            addresses = [literal]
        } else {
            do {
                addresses = try await resolver.addresses(of: host)
            } catch {
                throw Refusal.notResolved
            }
        }
        for address in addresses {
            let range = address.range
            if !allows(range) { throw Refusal.address(range) }
            if scheme == "http", range != .loopback { throw Refusal.insecureScheme }
        }
        return Destination(url: url, host: host, pinnedAddress: literal == nil ? addresses.first : nil)
    }

    private func allows(_ range: IPAddress.Range) -> Bool {
        switch range {
        case .publicInternet: true
        case .loopback: allowInsecureLoopback
        case .privateNetwork, .sharedAddressSpace, .linkLocal, .uniqueLocal: allowPrivateNetworks
        case .metadata, .reserved: false
        }
    }
}
