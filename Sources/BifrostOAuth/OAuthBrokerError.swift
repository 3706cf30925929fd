/// Why the broker could not hand out a token; every message says what the organisation must do.
public enum OAuthBrokerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The provider refused the grant: an admin must connect again.
    case needsReauth(connection: String, reason: String)
    /// An authorization-code connection that was never connected.
    case notConnected(connection: String)
    /// The provider could not be reached (after retries) and the stored token has expired.
    case providerUnavailable(connection: String, reason: String)
    /// The provider refused the request for another reason (a bad scope, say).
    case rejected(connection: String, reason: String)
    /// The connection's settings cannot be used.
    case misconfigured(connection: String, reason: String)
    /// The run's (or the connection's) organisation is deactivated: its tokens are neither refreshed nor handed out.
    case organizationDeactivated(connection: String)

    public var description: String {
        switch self {
        case .needsReauth(let name, let reason):
            "OAuth connection \"\(name)\" must be connected again by an admin of the organisation (\(reason))"
        case .notConnected(let name):
            "OAuth connection \"\(name)\" is not connected yet: an admin must authorize it first"
        case .providerUnavailable(let name, let reason):
            "OAuth connection \"\(name)\": the provider could not issue a token (\(reason))"
        case .rejected(let name, let reason): "OAuth connection \"\(name)\": the provider refused (\(reason))"
        case .misconfigured(let name, let reason): "OAuth connection \"\(name)\" cannot be used: \(reason)"
        case .organizationDeactivated(let name):
            "OAuth connection \"\(name)\" cannot be used: the organisation is deactivated"
        }
    }
}
