extension GatewayConfiguration {
    /// OpenID Connect issuers and how their keys are fetched.
    public struct OIDC: Sendable {
        public var issuers: [OIDCIssuer] = []
        /// Shortest time between two key-set fetches caused by an unknown `kid`.
        public var keyRefetchInterval: Duration = .seconds(60)
        /// Longest a request for an issuer's metadata or key set may take.
        public var keyFetchTimeout: Duration = .seconds(10)
    }
}

extension GatewayConfiguration.OIDC {
    /// Reads the `oidc.` keys (`values` scoped to `oidc`): `issuers` (names) and each named issuer's keys.
    /// - Parameter allowInsecureLoopback: `oauth.allowInsecureLoopback`, which also lets sign-in URLs be plain http
    ///   to a loopback address.
    package init(reading values: ConfigValues, allowInsecureLoopback: Bool = false) throws {
        if let seconds = try values.integer("keyRefetchInterval", in: 0...86_400) {
            keyRefetchInterval = .seconds(seconds)
        }
        if let seconds = try values.integer("keyFetchTimeout", in: 1...120) {
            keyFetchTimeout = .seconds(seconds)
        }
        for name in try values.list("issuers") {
            guard name.first?.isLetter == true, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) })
            else {
                throw values.error("issuers", value: name, expected: "names of lower-case letters and digits")
            }
            let keys = values.scoped(to: name)
            func required(_ field: String) throws -> String {
                guard let value = try keys.string(field) else {
                    throw keys.error(field, value: "", expected: "a value for issuer \(name)")
                }
                return value
            }
            let audience = try required("audience")
            let issuer = GatewayConfiguration.OIDCIssuer(
                name: name, issuer: try required("issuer"), audience: audience,
                jwksURI: try keys.string("jwksUri"), provisionUsers: try keys.boolean("provisionUsers") ?? false,
                isOperator: try keys.boolean("operator") ?? false,
                signIn: try GatewayConfiguration.OIDCSignIn(
                    reading: keys, audience: audience, allowInsecureLoopback: allowInsecureLoopback)
            )
            guard issuer.issuer.hasPrefix("https://") || issuer.issuer.hasPrefix("http://") else {
                throw keys.error("issuer", value: issuer.issuer, expected: "an https:// URL")
            }
            if issuer.jwksURI == nil, issuer.issuer.contains("{tenantid}") {
                throw keys.error(
                    "jwksUri", value: "",
                    expected: "a JWKS URL: an issuer with {tenantid} has no single metadata document"
                )
            }
            if issuer.isOperator, issuer.issuer.contains("{tenantid}") {
                throw keys.error(
                    "operator", value: "true",
                    expected:
                        "false for a multi-tenant issuer ({tenantid}): any tenant could sign in as a platform admin"
                )
            }
            issuers.append(issuer)
        }
    }
}
