extension GatewayConfiguration {
    /// An OpenID Connect issuer (Microsoft Entra ID) whose bearer tokens the gateway accepts.
    public struct OIDCIssuer: Sendable, Hashable {
        /// The name under `oidc.issuers`, used in keys and logs.
        public var name: String
        /// The `iss` the issuer writes; `{tenantid}` stands for the token's `tid` (multi-tenant Entra apps).
        public var issuer: String
        /// The `aud` tokens must carry: the application (client) id or its URI.
        public var audience: String
        /// Where the signing keys are; discovered from the issuer's metadata when unset.
        public var jwksURI: String?
        /// Whether an unknown user of a mapped tenant is created (as `org_member`) at their first sign-in.
        public var provisionUsers: Bool = false
        /// Whether this is the operator's own tenant: the only issuer through which platform admins sign in (and
        /// are found by email at their first sign-in). Never a multi-tenant issuer.
        public var isOperator: Bool = false
        /// How the console signs people in through this issuer (`oidc.<name>.signIn`); nil: it does not offer to.
        public var signIn: OIDCSignIn?

        public init(
            name: String, issuer: String, audience: String, jwksURI: String?, provisionUsers: Bool = false,
            isOperator: Bool = false, signIn: OIDCSignIn? = nil
        ) {
            self.name = name
            self.issuer = issuer
            self.audience = audience
            self.jwksURI = jwksURI
            self.provisionUsers = provisionUsers
            self.isOperator = isOperator
            self.signIn = signIn
        }
    }
}
