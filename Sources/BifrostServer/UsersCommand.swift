import ArgumentParser
import BifrostCrypto
import BifrostGateway
import BifrostRuntime
import BifrostStore
import Foundation

/// `bifrost users`: manage users from the command line (the first platform admin, above all).
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage users.", subcommands: [Create.self]
    )

    /// `bifrost users create`: creates a user; the password comes from standard input or a prompt, never a flag.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user. The password is read from standard input (or prompted for on a terminal)."
        )

        @Option(help: "The user's email address (unique, case-insensitive).")
        var email: String

        @Option(help: "The user's display name.")
        var name: String = ""

        @Flag(help: "Create a platform administrator (no organisation).")
        var platformAdmin = false

        @Option(help: "The organisation (UUID) of an organisation user.")
        var organization: String?

        @Option(help: "org_admin or org_member, for organisation users.")
        var role: String = "org_member"

        @OptionGroup var options: ConfigurationOptions

        func validate() throws {
            if platformAdmin, organization != nil {
                throw ValidationError("A platform admin belongs to no organisation: drop --organization.")
            }
            if !platformAdmin, organization.flatMap(UUID.init(uuidString:)) == nil {
                throw ValidationError("Give --platform-admin, or --organization with the organisation's UUID.")
            }
            if !platformAdmin, User.Role(rawValue: role) == nil || role == User.Role.platformAdmin.rawValue {
                throw ValidationError("--role must be org_admin or org_member.")
            }
        }

        func run() async throws {
            let (configuration, logger) = try await options.loadAndBootstrapLogging(label: "bifrost.users")
            let password = try PasswordInput.read(prompt: "Password for \(email): ")
            guard password.count >= 12 else {
                FileHandle.standardError.write(Data("bifrost: the password must have at least 12 characters\n".utf8))
                throw ExitCode(2)
            }
            let hash = PasswordHasher(iterations: configuration.auth.passwordIterations).hash(password)
            let user = NewUser(
                email: email, name: name,
                role: platformAdmin ? .platformAdmin : (User.Role(rawValue: role) ?? .orgMember),
                organizationID: organization.flatMap(UUID.init(uuidString:)), passwordHash: hash
            )
            let migrations = try MigrationCatalog.bundled()
            do {
                let created = try await DatabaseSession.with(configuration: configuration, logger: logger) { client in
                    try await Migrator(client: client, migrations: migrations, logger: logger).migrate()
                    return try await PostgresUserRepository(client: client, logger: logger).create(user)
                }
                print("created \(created.role.rawValue) \(created.email) \(created.id.lowercasedText)")
            } catch StoreError.conflict {
                FileHandle.standardError.write(Data("bifrost: a user with this email exists\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}

/// Reads a secret without echoing it on a terminal, or one line from a pipe.
enum PasswordInput {
    static func read(prompt: String) throws -> String {
        if isatty(STDIN_FILENO) == 1, let typed = getpass(prompt) {
            return String(cString: typed)
        }
        guard let line = readLine(strippingNewline: true) else {
            FileHandle.standardError.write(Data("bifrost: no password on standard input\n".utf8))
            throw ExitCode(2)
        }
        return line
    }
}
