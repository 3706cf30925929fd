/// Tokens of OAuth connections (`oauth.get_token`).
public protocol OAuthTokens: Sendable {
    /// A valid token of the named connection: the organisation's, else a global one the platform shares with
    /// organisations; nil if there is none. The token is usable only at its provider's API addresses
    /// (`OAuthToken.authorizationHeader(for:)`).
    func getToken(_ connection: String) async throws -> OAuthToken?
}
