public import Bifrost
public import BifrostStore

/// Where runs' OAuth tokens come from: the gateway's broker, which knows the connections of each scope.
public protocol ScopedOAuthTokens: Sendable {
    /// A valid token of connection `name` for a run in `scope`, or nil when there is no such connection.
    func token(_ name: String, for scope: Scope) async throws -> OAuthToken?
}

/// `context.oauth` of one run: a token of the organisation's connection, else of a global one shared with
/// organisations. The access token is hidden from the run's logs, result and error like a secret.
struct RunOAuth: OAuthTokens {
    let tokens: any ScopedOAuthTokens
    let scope: Scope
    let redactor: SecretRedactor

    func getToken(_ connection: String) async throws -> OAuthToken? {
        guard let token = try await tokens.token(connection, for: scope) else { return nil }
        redactor.hide(token.accessToken)
        return token
    }
}
