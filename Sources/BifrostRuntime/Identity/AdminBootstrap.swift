import BifrostCrypto
package import BifrostStore
package import Logging

/// Creates the first platform admin from configuration when the gateway has no user at all.
package enum AdminBootstrap {
    package static func run(configuration: GatewayConfiguration.Auth, users: any UserRepository, logger: Logger)
        async throws
    {
        guard let email = configuration.bootstrapAdminEmail, let password = configuration.bootstrapAdminPassword else {
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
