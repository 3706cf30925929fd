/// What a new connection, or a replacement of one's settings, says.
public struct OAuthConnectionSettings: Sendable, Hashable {
    public var provider: String
    public var flow: OAuthConnection.Flow
    public var clientID: String
    public var scopes: [String]
    public var tenant: String?
    /// Whether runs get the token of `tenant` or of their organisation's Entra tenant.
    public var tenancy: OAuthConnection.Tenancy
    public var authorizeURL: String?
    public var tokenURL: String?
    /// Whether organisation runs may use this (global) connection.
    public var sharedWithOrganizations: Bool

    public init(
        provider: String, flow: OAuthConnection.Flow, clientID: String, scopes: [String], tenant: String? = nil,
        tenancy: OAuthConnection.Tenancy = .single, authorizeURL: String? = nil, tokenURL: String? = nil,
        sharedWithOrganizations: Bool = false
    ) {
        self.tenancy = tenancy
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
