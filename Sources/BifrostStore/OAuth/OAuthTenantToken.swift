public import Foundation

/// A customer tenant of a `per_organization` connection as the API shows it: its admin consent as last recorded
/// and its own token's state. Never the token.
public struct OAuthTenantToken: Sendable, Hashable {
    /// What the customer tenant's admin answered when last asked for consent.
    public enum Consent: String, Sendable, Hashable, CaseIterable {
        /// Never asked through the gateway (consent may still have been granted another way: the first token
        /// request tells).
        case unknown
        case granted
        /// Refused, or a token request showed there is none: runs fail at once until consent is recorded.
        case refused
    }

    /// Where the tenant's token stands.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case notConnected = "not_connected"
        case connected
        /// The tenant's token endpoint refused the grant (`invalid_grant`, an unknown client): runs in this tenant
        /// fail without asking again until an admin records consent or connects the connection again.
        case needsReauth = "needs_reauth"
    }

    public var connectionID: UUID
    /// The customer's Entra tenant id.
    public var tenant: String
    public var consent: Consent
    /// The provider's error code when consent was refused.
    public var consentError: String?
    /// When consent was last recorded.
    public var consentAt: Date?
    public var status: Status
    public var tokenType: String?
    public var expiresAt: Date?
    public var lastRefreshAt: Date?
    /// The OAuth error code and HTTP status of the last failed token request, if the last one failed.
    public var lastError: String?
    /// Grows with every change of the row's token or state.
    public var generation: Int64
    public var updatedAt: Date
}

/// A customer tenant of a connection in the listing: which organisation it is, and its token's state (nil when
/// the gateway never asked for one).
public struct OAuthTenantState: Sendable, Hashable {
    public var organizationID: UUID
    public var organizationName: String
    public var organizationIsActive: Bool
    public var tenant: String
    public var token: OAuthTenantToken?
}

/// The right to ask the provider for one (connection, tenant)'s token, held by one replica until released or
/// lapsed, as `OAuthRefreshLease` is for a connection. Writes under it require the row's holder and generation.
public struct OAuthTenantLease: Sendable {
    /// Who holds it (random per lease).
    public let holder: UUID
    /// The tenant's row as the lease found it.
    public let token: OAuthTenantToken
    let sealed: SealedValue?
    /// The name the sealed token is bound to.
    let name: String

    /// The connection's scope: the key the tenant's token is sealed under.
    let owner: Scope
}

/// What an attempt to take a tenant's lease found.
public enum OAuthTenantLeaseAttempt: Sendable {
    case taken(OAuthTenantLease)
    /// Another replica asks the provider.
    case held
}
