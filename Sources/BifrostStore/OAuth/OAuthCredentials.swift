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
