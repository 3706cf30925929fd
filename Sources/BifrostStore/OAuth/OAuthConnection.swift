public import Foundation

/// An OAuth connection of an organisation (or of global scope) as the API shows it: never a token or the client
/// secret.
public struct OAuthConnection: Sendable, Hashable {
    /// How the gateway obtains tokens.
    public enum Flow: String, Sendable, Hashable, CaseIterable {
        case authorizationCode = "authorization_code"
        case clientCredentials = "client_credentials"
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

/// What a new connection, or a replacement of one's settings, says.
public struct OAuthConnectionSettings: Sendable, Hashable {
    public var provider: String
    public var flow: OAuthConnection.Flow
    public var clientID: String
    public var scopes: [String]
    public var tenant: String?
    public var authorizeURL: String?
    public var tokenURL: String?
    /// Whether organisation runs may use this (global) connection.
    public var sharedWithOrganizations: Bool

    public init(
        provider: String, flow: OAuthConnection.Flow, clientID: String, scopes: [String], tenant: String? = nil,
        authorizeURL: String? = nil, tokenURL: String? = nil, sharedWithOrganizations: Bool = false
    ) {
        self.provider = provider
        self.flow = flow
        self.clientID = clientID
        self.scopes = scopes
        self.tenant = tenant
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.sharedWithOrganizations = sharedWithOrganizations
    }

    /// Whether these settings would send `connection`'s credentials somewhere else, or make them another client's:
    /// another provider, client id, tenant, authorize URL or token URL. Its stored client secret and tokens must
    /// not follow them there.
    public func changesDestination(of connection: OAuthConnection) -> Bool {
        provider != connection.provider || clientID != connection.clientID || tenant != connection.tenant
            || authorizeURL != connection.authorizeURL || tokenURL != connection.tokenURL
    }
}

/// The secret part of a connection, stored sealed as one value.
public struct OAuthCredentials: Sendable, Hashable, Codable {
    public var clientSecret: String?
    public var accessToken: String?
    public var refreshToken: String?

    public init(clientSecret: String?, accessToken: String? = nil, refreshToken: String? = nil) {
        self.clientSecret = clientSecret
        self.accessToken = accessToken
        self.refreshToken = refreshToken
    }
}

/// Tokens a provider issued.
public struct IssuedTokens: Sendable, Hashable {
    public var accessToken: String
    public var tokenType: String
    /// A new refresh token (providers that rotate them), else nil: the previous one stays.
    public var refreshToken: String?
    public var expiresAt: Date
    public var scopes: [String]?

    public init(accessToken: String, tokenType: String, refreshToken: String?, expiresAt: Date, scopes: [String]?) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scopes = scopes
    }
}
