public import Foundation

/// An OAuth connection of an organisation (or of global scope) as the API shows it: never a token or the client
/// secret.
public struct OAuthConnection: Sendable, Hashable {
    /// How the gateway obtains tokens.
    public enum Flow: String, Sendable, Hashable, CaseIterable {
        case authorizationCode = "authorization_code"
        case clientCredentials = "client_credentials"
    }

    /// Which tenant the connection's tokens are for.
    public enum Tenancy: String, Sendable, Hashable, CaseIterable {
        /// One tenant, `tenant` (else the provider's default): every run gets the connection's one token.
        case single
        /// The run's organisation's Entra tenant: one partner application (client credentials, or the partner's
        /// delegated refresh token) gets a token per customer tenant (`OAuthTenantToken`). A run in global scope
        /// gets the connection's own token, as with `single`.
        case perOrganization = "per_organization"
    }

    /// Where the connection stands.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case notConnected = "not_connected"
        case connected
        /// The provider refused the refresh token or the client: an admin must connect again.
        case needsReauth = "needs_reauth"
        case failed
    }

    public var id: UUID
    public var organizationID: UUID?
    public var name: String
    public var provider: String
    public var flow: Flow
    public var clientID: String
    public var scopes: [String]
    public var tenant: String?
    public var tenancy: Tenancy
    public var authorizeURL: String?
    public var tokenURL: String?
    /// A global connection that organisation runs without a connection of this name of their own may use; always
    /// false for an organisation's connection.
    public var sharedWithOrganizations: Bool
    public var status: Status
    public var tokenType: String?
    public var grantedScopes: [String]?
    public var expiresAt: Date?
    public var lastRefreshAt: Date?
    public var lastError: String?
    /// Grows with every change of the stored tokens.
    public var generation: Int64
    public var createdAt: Date
    public var updatedAt: Date

    /// Whether `name` may name a connection: letters, digits, `_` and `-`, 1 to 100.
    public static func isValidName(_ name: String) -> Bool {
        (1...100).contains(name.utf8.count)
            && name.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                    || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                    || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
                    || $0 == UInt8(ascii: "-")
            }
    }
}
