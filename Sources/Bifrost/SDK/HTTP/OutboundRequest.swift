public import Foundation

/// A request a workflow sends through `context.http`: method, URL, headers, body, how long to wait for the answer
/// and how the gateway authorizes it.
public struct OutboundRequest: Sendable, Hashable {
    /// An HTTP method (`GET`, `POST`, …), upper case.
    public struct Method: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
        /// The method's name.
        public let rawValue: String

        /// The method named `rawValue`, upper-cased.
        public init(rawValue: String) { self.rawValue = rawValue.uppercased() }
        /// The method named by the literal, upper-cased.
        public init(stringLiteral value: String) { self.init(rawValue: value) }

        public static let get: Self = "GET"
        public static let head: Self = "HEAD"
        public static let post: Self = "POST"
        public static let put: Self = "PUT"
        public static let patch: Self = "PATCH"
        public static let delete: Self = "DELETE"
        public static let options: Self = "OPTIONS"

        /// Whether sending the request twice has the effect of sending it once (RFC 9110 §9.2.2): the gateway
        /// retries such a request after a network failure, and never another.
        public var isIdempotent: Bool { [.get, .head, .put, .delete, .options].contains(self) }

        /// The method's name.
        public var description: String { rawValue }
    }

    /// The method.
    public var method: Method
    /// The address, `http` or `https`.
    public var url: URL
    /// Header fields; an `authorization` sets `Authorization` over whatever is here.
    public var headers: OutboundHeaders
    /// The body; nil sends none.
    public var body: Data?
    /// How long to wait for each attempt's whole answer; nil: the gateway's default.
    public var timeout: Duration?
    /// How the gateway authorizes the request; nil: it adds nothing.
    public var authorization: OutboundAuthorization?

    /// A request of `method` to `url`.
    public init(
        _ method: Method, _ url: URL, headers: OutboundHeaders = [:], body: Data? = nil, timeout: Duration? = nil,
        authorization: OutboundAuthorization? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.authorization = authorization
    }
}
