public import Foundation

/// One OAuth provider of the catalogue (`Config/oauth-providers.yaml`).
public struct OAuthProvider: Sendable, Hashable {
    public var name: String
    /// May contain `{tenant}`; nil for `generic` (the connection gives it).
    public var authorizeURL: String?
    public var tokenURL: String?
    /// What replaces `{tenant}` when the connection names none.
    public var defaultTenant: String?
    public var defaultScopes: [String]
    /// Whether an S256 code challenge goes with the authorization request.
    public var supportsPKCE: Bool
    /// Whether a refresh answers with a new refresh token (the old one then no longer works).
    public var rotatesRefreshTokens: Bool
    /// The provider's API addresses (`https://graph.microsoft.com`): its tokens are handed to workflows for
    /// requests to these origins only. Only the operator's catalogue sets them; connections cannot.
    public var apiBaseURLs: [URL]
    /// Where a customer tenant's admin grants a multi-tenant application its permissions (may contain
    /// `{tenant}`); nil when the provider has no such page.
    public var adminConsentURL: String?

    public init(
        name: String, authorizeURL: String?, tokenURL: String?, defaultTenant: String?, defaultScopes: [String],
        supportsPKCE: Bool, rotatesRefreshTokens: Bool, apiBaseURLs: [URL] = [],
        adminConsentURL: String? = nil
    ) {
        self.adminConsentURL = adminConsentURL
        self.apiBaseURLs = apiBaseURLs
        self.name = name
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.defaultTenant = defaultTenant
        self.defaultScopes = defaultScopes
        self.supportsPKCE = supportsPKCE
        self.rotatesRefreshTokens = rotatesRefreshTokens
    }
}
