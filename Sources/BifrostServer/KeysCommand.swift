import ArgumentParser
import BifrostGateway
import BifrostRuntime
import BifrostStore
import Foundation
import Logging
import PostgresNIO

/// `bifrost keys`: the envelope-encryption keys, their versions and their rotation.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Show and rotate the encryption keys.", subcommands: [Status.self, Rotate.self]
    )

    /// `bifrost keys status`: master-key versions and what each still protects.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the master-key versions, how many data keys each wraps, and values under older data keys."
        )

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let status = try await KeysCommand.withKeyRing(options) { session in try await session.ring.status() }
            for version in status.masterVersions {
                let notes = [version.isCurrent ? "current" : nil, version.isConfigured ? nil : "not configured"]
                    .compactMap { $0 }
                print(
                    "master key v\(version.version)  created \(version.createdAt.formatted(.iso8601))  "
                        + "wraps \(version.dataKeys) data key(s)"
                        + (notes.isEmpty ? "" : "  (\(notes.joined(separator: ", ")))")
                )
            }
            print("scopes with a data key: \(status.scopes)")
            print(
                "values under an older data key: \(status.valuesUnderOlderDataKeys) "
                    + "(in \(status.scopesWithOlderDataKeyValues) scope(s))"
            )
        }
    }

    /// `bifrost keys rotate`: re-wraps the data keys under the configured master key, or rotates a data key.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-wrap every data key under the configured master key (or rotate one scope's data key).",
            discussion: """
                Master key: configure the new key as BIFROST_MASTER_KEY and the old one in \
                BIFROST_PREVIOUS_MASTER_KEYS (on every replica too), then run this. It registers the new key as \
                the next version if no replica has yet, and re-wraps the data keys in batches, each committed on \
                its own: after a crash, run it again and it continues. When `keys status` shows the old version \
                wraps nothing, drop it from the configuration.

                Data key: --organization UUID (or "global") adds a new version of that scope's data key and \
                re-encrypts its values under it.

                Signing key: --signing makes a new access-token signing key sign on every replica; the old one \
                keeps verifying until the tokens it signed have expired.
                """
        )

        @Flag(help: "Rotate the access-token signing key instead.")
        var signing = false

        @Option(help: "Rotate the data key of this organisation (a UUID, or \"global\") instead of re-wrapping.")
        var organization: String?

        @Option(help: "Keys or values per transaction.")
        var batchSize: Int = 500

        @OptionGroup var options: ConfigurationOptions

        func validate() throws {
            guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 10000.") }
            if signing, organization != nil {
                throw ValidationError("--signing and --organization rotate different keys: give one.")
            }
            if let organization, organization != "global", UUID(uuidString: organization) == nil {
                throw ValidationError("--organization must be an organisation's UUID or \"global\".")
            }
        }

        func run() async throws {
            let scope = organization.map { UUID(uuidString: $0).map(Scope.organization) ?? .global }
            let batchSize = batchSize
            let signing = signing
            let line = try await KeysCommand.withKeyRing(options) { session -> String in
                let ring = session.ring
                if signing {
                    guard session.configuration.auth.signingKeyFile == nil else { throw SigningKeys.FixedKey() }
                    let keys = SigningKeys(
                        client: session.client, keyRing: ring,
                        tokens: AccessTokens(lifetime: session.configuration.auth.accessTokenLifetime),
                        logger: session.logger)
                    try await keys.load()
                    return "access tokens are now signed with key \(try await keys.rotate())"
                }
                if let scope {
                    let (version, count) = try await ring.rotateDataKey(of: scope, batchSize: batchSize) { progress in
                        KeysCommand.printProgress("re-encrypted", progress, of: "value(s)")
                    }
                    return "\(scope) now uses data key v\(version); re-encrypted \(count) value(s)"
                }
                let count = try await ring.rewrapDataKeys(batchSize: batchSize) { progress in
                    KeysCommand.printProgress("re-wrapped", progress, of: "data key(s)")
                }
                let current = try await ring.status().currentMasterVersion
                return "every data key is wrapped by master key v\(current); re-wrapped \(count) now"
            }
            print(line)
        }
    }

    /// What a keys command works with: the opened key ring, its database and the configuration.
    struct Session: Sendable {
        var ring: KeyRing
        var client: PostgresClient
        var configuration: GatewayConfiguration
        var logger: Logger
    }

    /// Runs `body` with the configured keys opened against the migrated database.
    static func withKeyRing<Result: Sendable>(
        _ options: ConfigurationOptions, _ body: @escaping @Sendable (Session) async throws -> Result
    ) async throws -> Result {
        let (configuration, logger) = try await options.loadAndBootstrapLogging(label: "bifrost.keys")
        let keys = try MasterKeyLoader.load(configuration, logger: logger)
        let migrations = try MigrationCatalog.bundled()
        return try await DatabaseSession.with(configuration: configuration, logger: logger) { client in
            try await Migrator(client: client, migrations: migrations, logger: logger).migrate()
            let ring = KeyRing(client: client, master: keys.current, previous: keys.previous, logger: logger)
            try await ring.open()
            return try await body(Session(ring: ring, client: client, configuration: configuration, logger: logger))
        }
    }

    /// One progress line, written at once (standard output may be a pipe).
    static func printProgress(_ verb: String, _ progress: RotationProgress, of what: String) {
        FileHandle.standardOutput.write(Data("\(verb) \(progress.done)/\(progress.total) \(what)\n".utf8))
    }
}
