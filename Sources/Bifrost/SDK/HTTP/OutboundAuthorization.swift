/// How the gateway authorizes an outbound request on the workflow's behalf.
public enum OutboundAuthorization: Sendable, Hashable {
    /// The token of the named OAuth connection (`context.oauth.getToken(name)`), as an `Authorization` header.
    /// The gateway attaches it only when the request's URL is at one of the provider's declared API addresses
    /// (`OAuthToken.authorizationHeader(for:)`); otherwise the request is refused before anything is sent.
    case oauth(String)
}
