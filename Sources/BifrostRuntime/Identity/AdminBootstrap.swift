import BifrostCrypto
package import BifrostStore
package import Logging

/// Creates the first platform admin from configuration when the gateway has no user at all.
package enum AdminBootstrap {
    /// What `serve` says on a database with no user: every call answers 401 until there is one.
    package static let firstAdminHint = """
        No user exists yet, so every call will answer 401. Create the first platform admin (the password is read \
        from standard input) with the same database settings: bifrost users create --platform-admin --email \
        you@example.com   (or set BIFROST_BOOTSTRAP_ADMIN_EMAIL and BIFROST_BOOTSTRAP_ADMIN_PASSWORD before serve)
        """

    package static func run(configuration: GatewayConfiguration.Auth, users: any UserRepository, logger: Logger)
        async throws
    {
        guard let email = configuration.bootstrapAdminEmail, let password = configuration.bootstrapAdminPassword else {
            if try await users.isEmpty() { logger.notice("\(firstAdminHint)") }
            return
        }
        guard try await users.isEmpty() else { return }
        let hash = PasswordHasher(iterations: configuration.passwordIterations).hash(password)
        do {
            let admin = try await users.create(
                NewUser(
                    email: email, name: "Administrator", role: .platformAdmin, organizationID: nil, passwordHash: hash)
            )
            logger.notice("Created the bootstrap platform admin", metadata: ["bifrost.user.id": "\(admin.id)"])
        } catch StoreError.conflict {
            // Another replica created it first.
        }
    }
}
