extension GatewayConfiguration {
    /// How callers authenticate.
    public struct Auth: Sendable {
        /// PEM file with the EC P-256 key that signs access tokens; generated under the data folder when unset.
        public var signingKeyFile: String?
        public var accessTokenLifetime: Duration = .seconds(900)
        public var refreshTokenLifetime: Duration = .seconds(7 * 24 * 3600)
        /// PBKDF2-HMAC-SHA256 iterations for new password hashes.
        public var passwordIterations: Int = 600_000
        /// Platform admin created at start when no user exists yet.
        public var bootstrapAdminEmail: String?
        public var bootstrapAdminPassword: String?
    }
}

extension GatewayConfiguration.Auth {
    /// Reads the `auth.` keys and the bootstrap admin's `bootstrap.admin.` keys (each `values` scoped to them).
    package init(reading values: ConfigValues, bootstrap: ConfigValues) throws {
        signingKeyFile = try values.string("signingKeyFile")
        if let seconds = try values.integer("accessTokenLifetime", in: 60...86_400) {
            accessTokenLifetime = .seconds(seconds)
        }
        if let seconds = try values.integer("refreshTokenLifetime", in: 300...(90 * 86_400)) {
            refreshTokenLifetime = .seconds(seconds)
        }
        passwordIterations = try values.integer("passwordIterations", in: 100_000...10_000_000) ?? passwordIterations
        bootstrapAdminEmail = try bootstrap.string("email")
        bootstrapAdminPassword = try bootstrap.string("password", isSecret: true)
    }
}
