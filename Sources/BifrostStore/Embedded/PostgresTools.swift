import Foundation

/// Locates and runs the PostgreSQL server programs (`initdb`, `pg_ctl`).
struct PostgresTools: Sendable {
    private let directory: String

    /// Finds the tools in `binDirectory`, else on `PATH`, else in the newest `/usr/lib/postgresql/N/bin`.
    /// - Throws: `EmbeddedPostgresError.toolMissing` when `pg_ctl` is nowhere.
    init(binDirectory: String?) throws {
        if let binDirectory {
            directory = binDirectory
        } else if let pgctl = ChildProcess.locate("pg_ctl", extraDirectories: Self.debianDirectories()) {
            directory = URL(fileURLWithPath: pgctl).resolvingSymlinksInPath().deletingLastPathComponent().path
        } else {
            throw EmbeddedPostgresError.toolMissing("pg_ctl")
        }
        guard FileManager.default.isExecutableFile(atPath: directory + "/pg_ctl") else {
            throw EmbeddedPostgresError.toolMissing(directory + "/pg_ctl")
        }
    }

    /// Runs a tool as `account` and returns what happened, whatever its exit status.
    func outcome(_ tool: String, as account: ClusterAccount, _ arguments: [String]) async throws
        -> ChildProcess.Outcome
    {
        try await account.command(directory + "/" + tool, arguments).run()
    }

    /// Runs a tool as `account`.
    /// - Throws: `EmbeddedPostgresError.commandFailed` with its output when it exits non-zero.
    func run(_ tool: String, as account: ClusterAccount, _ arguments: [String]) async throws {
        let outcome = try await outcome(tool, as: account, arguments)
        guard outcome.succeeded else {
            throw EmbeddedPostgresError.commandFailed(
                command: tool + " " + (arguments.first ?? ""), output: outcome.output)
        }
    }

    private static func debianDirectories() -> [String] {
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return versions.compactMap(Int.init).sorted(by: >).map { "\(base)/\($0)/bin" }
    }
}
