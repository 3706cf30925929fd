public import BifrostStore
import Foundation
public import Logging
public import PostgresNIO

/// The PostgreSQL server of this test process, and a fresh database on it for each test.
///
/// With `BIFROST_TEST_DATABASE_URL` set, that server is used (the URL's role must be allowed to create
/// databases). Otherwise one throwaway cluster is started per test process with durability turned off, and a
/// watchdog process stops it and deletes its folder once the test process has exited.
public enum TestPostgres {
    /// A logger for fixtures; quiet unless `BIFROST_TEST_LOG_LEVEL` says otherwise.
    public static var logger: Logger {
        var logger = Logger(label: "bifrost.test")
        logger.logLevel = ProcessInfo.processInfo.environment["BIFROST_TEST_LOG_LEVEL"]
            .flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }

    /// The address of a database on the server that may create others (`postgres` on the throwaway cluster).
    public static func serverURL() async throws -> DatabaseURL {
        try await SharedCluster.instance.url()
    }

    /// Creates an empty database, runs `body` with its address, and drops it afterwards.
    public static func withDatabase<Result: Sendable>(
        _ body: (DatabaseURL) async throws -> Result
    ) async throws -> Result {
        let server = try await serverURL()
        let name = "bifrost_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await DatabaseBootstrap.createDatabaseIfMissing(String(name), on: server, logger: logger)
        do {
            let result = try await body(server.with(database: String(name)))
            try? await DatabaseBootstrap.dropDatabaseIfExists(String(name), on: server, logger: logger)
            return result
        } catch {
            try? await DatabaseBootstrap.dropDatabaseIfExists(String(name), on: server, logger: logger)
            throw error
        }
    }

    /// Creates an empty database, applies every migration, and runs `body` with its address and a client.
    public static func withMigratedDatabase<Result: Sendable>(
        _ body: (DatabaseURL, PostgresClient) async throws -> Result
    ) async throws -> Result {
        try await withDatabase { url in
            try await withClient(url) { client in
                try await Migrator(client: client, migrations: MigrationCatalog.bundled(), logger: logger).migrate()
                return try await body(url, client)
            }
        }
    }

    /// Runs `body` with a running pooled client for `url`. Its connections open on demand (none is kept open, as
    /// `DatabaseURL.clientConfiguration` has it by default): the tests run side by side, each with its own clients,
    /// and clients keeping four connections each open exhausted the cluster's connections (and slowed the suite
    /// from 45 to 125 seconds).
    public static func withClient<Result: Sendable>(
        _ url: DatabaseURL, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: url.clientConfiguration(maximumConnections: 8), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

/// Starts the throwaway cluster once per process, on first use.
private actor SharedCluster {
    static let instance = SharedCluster()

    private var starting: Task<DatabaseURL, any Error>?

    func url() async throws -> DatabaseURL {
        if let starting { return try await starting.value }
        let task = Task { try await Self.start() }
        starting = task
        return try await task.value
    }

    private static func start() async throws -> DatabaseURL {
        if let configured = ProcessInfo.processInfo.environment["BIFROST_TEST_DATABASE_URL"] {
            return try DatabaseURL(parsing: configured)
        }
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("bifrost-test-\(getpid())-\(UUID().uuidString.prefix(8))").path
        var settings = EmbeddedPostgres.Settings(dataDirectory: folder)
        settings.serverSettings = [
            "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "300",
        ]
        let cluster = EmbeddedPostgres(settings: settings, logger: TestPostgres.logger)
        let url = try await cluster.start()
        try Watchdog.stopClusterAfterExit(of: getpid(), dataDirectory: folder)
        return url.with(database: "postgres")
    }
}
