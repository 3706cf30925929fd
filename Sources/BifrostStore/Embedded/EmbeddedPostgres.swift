import Foundation
public import Logging
public import ServiceLifecycle

/// A private PostgreSQL cluster under the gateway's data folder, for development and tests.
///
/// `start()` creates the cluster on first use (`initdb`, a generated password, scram-sha-256 authentication),
/// picks a free port on 127.0.0.1 (keeping the previous one when it is still free), clears what a crash left
/// behind, starts the server and returns its address. As a `Service`, it then waits for graceful shutdown
/// and stops the server, so it belongs first in a `ServiceGroup` (groups stop services in reverse order).
///
/// Layout under `dataDirectory`: `postgres/data` (the cluster), `postgres/server.log`, and `database.json`
/// (port and password, readable by the gateway's user only).
public final class EmbeddedPostgres: Service, Sendable {
    /// How the cluster is laid out and tuned.
    public struct Settings: Sendable {
        /// Folder that holds the cluster and its state file.
        public var dataDirectory: String
        /// Account that runs PostgreSQL when the gateway is root.
        public var unprivilegedAccount: String = "postgres"
        /// Folder with `initdb` and `pg_ctl`; searched for when nil.
        public var binDirectory: String?
        /// Extra server settings (`-c name=value`); tests turn durability off here, `serve` never does.
        public var serverSettings: [String: String] = [:]
        /// Name of the database the gateway uses.
        public var databaseName: String = "bifrost"

        public init(dataDirectory: String) {
            self.dataDirectory = dataDirectory
        }
    }

    private struct State: Codable {
        var port: Int
        var username: String
        var password: String
    }

    private let settings: Settings
    private let logger: Logger
    private let root: URL

    private var clusterDirectory: URL { root.appendingPathComponent("postgres", isDirectory: true) }
    private var dataFolder: URL { clusterDirectory.appendingPathComponent("data", isDirectory: true) }
    private var logFile: URL { clusterDirectory.appendingPathComponent("server.log") }
    private var stateFile: URL { root.appendingPathComponent("database.json") }

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        let path = settings.dataDirectory
        let base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        self.root =
            URL(fileURLWithPath: path, isDirectory: true, relativeTo: path.hasPrefix("/") ? nil : base)
            .standardizedFileURL
    }

    /// Prepares and starts the cluster.
    /// - Returns: the address of the gateway's database on it.
    /// - Throws: `EmbeddedPostgresError` saying what failed and what to do.
    public func start() async throws -> DatabaseURL {
        let account = try ClusterAccount.current(unprivilegedName: settings.unprivilegedAccount)
        let tools = try PostgresTools(binDirectory: settings.binDirectory)
        try prepareFolders(account: account)
        try await account.makeReachable(clusterDirectory.path)

        var state = try await initializeIfNeeded(account: account, tools: tools)
        if try await isRunning(account: account, tools: tools) {
            logger.warning("Embedded database was left running by an earlier process; restarting it")
            try await stop(account: account, tools: tools)
        }
        if !LoopbackPort.isFree(state.port) {
            guard let port = LoopbackPort.free() else { throw EmbeddedPostgresError.noFreePort }
            state.port = port
            try save(state)
        }
        try await launch(port: state.port, account: account, tools: tools)
        logger.notice(
            "Embedded PostgreSQL for development is running; set BIFROST_DATABASE_URL for production",
            metadata: ["bifrost.db.data": "\(dataFolder.path)", "bifrost.db.port": "\(state.port)"]
        )
        let serverURL = DatabaseURL(
            host: "127.0.0.1", port: state.port, username: state.username, password: state.password,
            database: "postgres", tlsMode: .disable
        )
        try await DatabaseBootstrap.createDatabaseIfMissing(settings.databaseName, on: serverURL, logger: logger)
        return serverURL.with(database: settings.databaseName)
    }

    /// The address of the gateway's database when the cluster already runs (a `bifrost serve` in the same data
    /// folder, say), else nil. Commands (`users`, `migrate`, `workflows run`) use a running cluster as they find it
    /// and leave it running; only `start` restarts one.
    public func runningURL() async throws -> DatabaseURL? {
        let account = try ClusterAccount.current(unprivilegedName: settings.unprivilegedAccount)
        let tools = try PostgresTools(binDirectory: settings.binDirectory)
        guard let state = try? load(), try await isRunning(account: account, tools: tools) else { return nil }
        return DatabaseURL(
            host: "127.0.0.1", port: state.port, username: state.username, password: state.password,
            database: settings.databaseName, tlsMode: .disable
        )
    }

    /// Waits for graceful shutdown (or cancellation), then stops the cluster.
    public func run() async throws {
        try? await gracefulShutdown()
        try await stop()
    }

    /// Stops the cluster if it runs (fast shutdown: open sessions are ended, nothing is lost).
    public func stop() async throws {
        let account = try ClusterAccount.current(unprivilegedName: settings.unprivilegedAccount)
        let tools = try PostgresTools(binDirectory: settings.binDirectory)
        guard try await isRunning(account: account, tools: tools) else { return }
        try await stop(account: account, tools: tools)
        logger.info("Embedded PostgreSQL stopped")
    }

    // MARK: - Steps

    private func prepareFolders(account: ClusterAccount) throws {
        let files = FileManager.default
        do {
            try files.createDirectory(at: root, withIntermediateDirectories: true)
            // Others may pass through the data folder (the cluster account must), but not list or read it.
            try files.setAttributes([.posixPermissions: 0o711], ofItemAtPath: root.path)
            try files.createDirectory(at: clusterDirectory, withIntermediateDirectories: true)
        } catch let error as EmbeddedPostgresError {
            throw error
        } catch {
            throw EmbeddedPostgresError.filesystem(path: root.path, reason: "\(error)")
        }
        try account.own(clusterDirectory.path, mode: 0o700)
    }

    private func initializeIfNeeded(account: ClusterAccount, tools: PostgresTools) async throws -> State {
        let versionFile = dataFolder.appendingPathComponent("PG_VERSION").path
        if FileManager.default.fileExists(atPath: versionFile), let state = try? load() {
            return state
        }
        // A half-made cluster (initdb interrupted, or its state file lost) cannot be trusted: make it anew.
        try? FileManager.default.removeItem(at: dataFolder)
        let state = State(
            port: LoopbackPort.free() ?? 0, username: "bifrost", password: Self.randomPassword()
        )
        guard state.port != 0 else { throw EmbeddedPostgresError.noFreePort }
        let passwordFile = clusterDirectory.appendingPathComponent("initdb.pw")
        try Data(state.password.utf8).write(to: passwordFile)
        defer { try? FileManager.default.removeItem(at: passwordFile) }
        try account.own(passwordFile.path, mode: 0o600)
        logger.info("Creating embedded PostgreSQL cluster", metadata: ["bifrost.db.data": "\(dataFolder.path)"])
        try await tools.run(
            "initdb", as: account,
            [
                "-D", dataFolder.path, "-U", state.username, "--pwfile", passwordFile.path,
                "--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C", "--no-instructions",
            ]
        )
        try save(state)
        return state
    }

    private func isRunning(account: ClusterAccount, tools: PostgresTools) async throws -> Bool {
        guard FileManager.default.fileExists(atPath: dataFolder.path) else { return false }
        // pg_ctl status: 0 running, 3 not running, 4 no accessible data folder.
        return try await tools.outcome("pg_ctl", as: account, ["status", "-D", dataFolder.path]).succeeded
    }

    private func launch(port: Int, account: ClusterAccount, tools: PostgresTools) async throws {
        var options = [
            "-c port=\(port)", "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''",
        ]
        for (name, value) in settings.serverSettings.sorted(by: { $0.key < $1.key }) {
            options.append("-c \(name)=\(value)")
        }
        // pg_ctl removes a stale postmaster.pid itself when the process it names is gone.
        try await tools.run(
            "pg_ctl", as: account,
            [
                "start", "-D", dataFolder.path, "-l", logFile.path, "-w", "-t", "60",
                "-o", options.joined(separator: " "),
            ]
        )
    }

    private func stop(account: ClusterAccount, tools: PostgresTools) async throws {
        try await tools.run("pg_ctl", as: account, ["stop", "-D", dataFolder.path, "-m", "fast", "-w", "-t", "30"])
    }

    // MARK: - State file

    private func load() throws -> State {
        try JSONDecoder().decode(State.self, from: Data(contentsOf: stateFile))
    }

    private func save(_ state: State) throws {
        let data = try JSONEncoder().encode(state)
        FileManager.default.createFile(atPath: stateFile.path, contents: nil, attributes: [.posixPermissions: 0o600])
        try data.write(to: stateFile)
    }

    private static func randomPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
