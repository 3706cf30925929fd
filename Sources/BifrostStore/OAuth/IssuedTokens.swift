public import Foundation

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
