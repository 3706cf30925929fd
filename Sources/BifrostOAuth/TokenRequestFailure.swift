/// Why a token request failed. What it says (`description`, shown to admins and stored as a connection's
/// `last_error`) is only the OAuth `error` code and the HTTP status: never the provider's answer, a URL, an address
/// or a network error, which go to the server's log alone.
public enum TokenRequestFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The provider answered with an OAuth error (`invalid_grant`, …) and this HTTP status.
    case rejected(code: String, status: Int)
    /// No usable answer: a 5xx or an answer without a token (its HTTP status), or none at all (nil: a timeout, a
    /// network error, a host that does not resolve). Worth retrying.
    case unavailable(status: Int?)
    /// The token URL points to an address `ProviderURLPolicy` does not allow: nothing was sent.
    case destinationRefused

    /// The errors after which only an admin connecting again helps.
    public var needsReauth: Bool {
        if case .rejected(let code, _) = self {
            return ["invalid_grant", "invalid_client", "unauthorized_client"].contains(code)
        }
        return false
    }

    public var description: String {
        switch self {
        case .rejected(let code, let status): "\(code) (HTTP \(status))"
        case .unavailable(let status?): "provider unavailable (HTTP \(status))"
        case .unavailable(nil): "provider unreachable"
        case .destinationRefused: "the token URL points to an address that is not allowed"
        }
    }

    /// `code` when it is an OAuth error code (RFC 6749: printable ASCII without `"` and `\`; here letters, digits,
    /// `_`, `-` and `.`, at most 64), else `invalid_response`: a provider cannot put arbitrary text into what
    /// admins see.
    public static func sanitizedErrorCode(_ code: String) -> String {
        let allowed =
            code.utf8.count <= 64 && !code.isEmpty
            && code.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                    || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                    || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || [UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ".")].contains($0)
            }
        return allowed ? code : "invalid_response"
    }
}
