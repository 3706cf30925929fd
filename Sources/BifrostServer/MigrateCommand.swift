import ArgumentParser
import BifrostGateway
import BifrostRuntime
import BifrostStore
import Foundation

/// `bifrost migrate`: applies pending migrations, or lists them with `--status`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (or list them with --status)."
    )

    @Flag(help: "List every migration and when it was applied; change nothing.")
    var status = false

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let (configuration, logger) = try await options.loadAndBootstrapLogging(label: "bifrost.migrate")
        let migrations = try MigrationCatalog.bundled()
        let showStatus = status
        do {
            let lines = try await DatabaseSession.with(configuration: configuration, logger: logger) { client in
                let migrator = Migrator(client: client, migrations: migrations, logger: logger)
                if !showStatus {
                    let applied = try await migrator.migrate()
                    if applied.isEmpty { return ["Schema is current; nothing to apply."] }
                    return applied.map { "applied  \($0.fileName)" }
                }
                return try await migrator.status().map { entry in
                    let when = entry.appliedAt.map { "applied  " + $0.formatted(.iso8601) } ?? "pending"
                    return entry.fileName.padding(toLength: 40, withPad: " ", startingAt: 0) + when
                }
            }
            print(lines.joined(separator: "\n"))
        } catch {
            FileHandle.standardError.write(Data("bifrost: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
