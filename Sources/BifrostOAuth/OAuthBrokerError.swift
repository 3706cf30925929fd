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
    /// A `per_organization` connection's customer tenant has not consented to the application (recorded, or its
    /// token endpoint refused the client): runs in it fail at once until an admin of the tenant grants consent.
    case consentRequired(connection: String, tenant: String, reason: String)
    /// A `per_organization` connection's customer tenant refused the partner's delegated grant (`invalid_grant`):
    /// runs in it fail at once until consent is recorded or the connection is authorized again. Other tenants
    /// are unaffected.
    case tenantRefused(connection: String, tenant: String, reason: String)
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
        case .consentRequired(let name, let tenant, let reason):
            "OAuth connection \"\(name)\" has no admin consent in this organisation's tenant \(tenant) (\(reason)): "
                + "an admin of the tenant must grant it (the connection's tenants, admin consent)"
        case .tenantRefused(let name, let tenant, let reason):
            "OAuth connection \"\(name)\" may not act in this organisation's tenant \(tenant) (\(reason)): the "
                + "partner's access to the tenant must be granted again (admin consent, or authorizing the connection again)"
        case .organizationDeactivated(let name):
            "OAuth connection \"\(name)\" cannot be used: the organisation is deactivated"
        }
    }
}
