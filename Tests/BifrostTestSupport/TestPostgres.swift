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
        logger.logLevel =
            ProcessInfo.processInfo.environment["BIFROST_TEST_LOG_LEVEL"]
            .flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }

    /// The address of a database on the server that may create others (`postgres` on the throwaway cluster).
    public static func serverURL() async throws -> DatabaseURL {
        try await SharedCluster.instance.url()
    }

    /// Creates a database, runs `body` with its address, and drops it afterwards.
    /// - Parameter migrated: whether every migration is applied to it already. On the throwaway cluster the
    ///   database is then a copy of one migrated once per process (copying takes a fraction of what running the
    ///   migrations takes, for each of the suite's hundreds of databases); on a configured server the migrations
    ///   run, as there is nobody to drop a template there.
    public static func withDatabase<Result: Sendable>(
        migrated: Bool = false, _ body: (DatabaseURL) async throws -> Result
    ) async throws -> Result {
        let server = try await serverURL()
        let name = String(
            "bifrost_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))
        let template = migrated ? try await SharedCluster.instance.migratedTemplate() : nil
        if let template {
            try await DatabaseBootstrap.withConnection(to: server, logger: logger) { connection in
                try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(template)"), logger: logger
                )
            }
        } else {
            try await DatabaseBootstrap.createDatabaseIfMissing(name, on: server, logger: logger)
        }
        do {
            if migrated, template == nil {
                try await withClient(server.with(database: name)) { client in
                    try await Migrator(client: client, migrations: MigrationCatalog.bundled(), logger: logger).migrate()
                }
            }
            let result = try await body(server.with(database: name))
            try? await DatabaseBootstrap.dropDatabaseIfExists(name, on: server, logger: logger)
            return result
        } catch {
            try? await DatabaseBootstrap.dropDatabaseIfExists(name, on: server, logger: logger)
            throw error
        }
    }

    /// Creates an empty database, applies every migration, and runs `body` with its address and a client.
    public static func withMigratedDatabase<Result: Sendable>(
        _ body: (DatabaseURL, PostgresClient) async throws -> Result
    ) async throws -> Result {
        try await withDatabase(migrated: true) { url in
            try await withClient(url) { client in try await body(url, client) }
        }
    }

    /// Runs `body` with a running pooled client for `url`. Its connections open on demand (none is kept open, as
    /// `DatabaseURL.clientConfiguration` has it by default): the tests run side by side, each with its own clients,
    /// and clients keeping four connections each open exhausted the cluster's connections (and slowed the suite
    /// from 45 to 125 seconds).
    public static func withClient<Result: Sendable>(
        _ url: DatabaseURL, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(
            configuration: url.clientConfiguration(maximumConnections: 8), backgroundLogger: logger)
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
    private var templating: Task<String?, any Error>?

    func url() async throws -> DatabaseURL {
        if let starting { return try await starting.value }
        let task = Task { try await Self.start() }
        starting = task
        return try await task.value
    }

    /// The name of a database with every migration applied, made once per process, to copy (`CREATE DATABASE …
    /// TEMPLATE`); nil on a server given by `BIFROST_TEST_DATABASE_URL`. Nobody connects to it once it is made,
    /// as PostgreSQL copies only a database nobody is connected to.
    func migratedTemplate() async throws -> String? {
        if let templating { return try await templating.value }
        let server = try await url()
        let task = Task<String?, any Error> {
            guard ProcessInfo.processInfo.environment["BIFROST_TEST_DATABASE_URL"] == nil else { return nil }
            let name = "bifrost_migrated_template"
            try await DatabaseBootstrap.createDatabaseIfMissing(name, on: server, logger: TestPostgres.logger)
            try await TestPostgres.withClient(server.with(database: name)) { client in
                try await Migrator(client: client, migrations: MigrationCatalog.bundled(), logger: TestPostgres.logger)
                    .migrate()
            }
            // The client's connections end a moment after it does; a copy started before then is refused.
            let closed = try await eventually {
                try await DatabaseBootstrap.withConnection(to: server, logger: TestPostgres.logger) { connection in
                    let rows = try await connection.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = \(name)", logger: TestPostgres.logger
                    )
                    for try await count in rows.decode(Int.self) { return count == 0 }
                    return true
                }
            }
            guard closed else { throw TemplateInUse() }
            return name
        }
        templating = task
        return try await task.value
    }

    /// The migrated template kept a connection open.
    struct TemplateInUse: Error {}

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
        Watchdog.stopClusterAfterExit(of: getpid(), dataDirectory: folder)
        return url.with(database: "postgres")
    }
}

extension TestPostgres {
    /// Waits until some session of `database`'s database listens for notifications (a notification listener has
    /// started), so that a test's change is not notified before anyone listens. - Throws: if none does.
    public static func waitForListener(_ database: PostgresClient) async throws {
        try await waitForListeners(database, count: 1)
    }

    /// How many sessions of `database`'s database listen for notifications now.
    public static func listenerCount(_ database: PostgresClient) async throws -> Int {
        let rows = try await database.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Waits until `count` sessions of `database`'s database listen for notifications (as many replicas' listeners
    /// have started). - Throws: if fewer do in time.
    public static func waitForListeners(_ database: PostgresClient, count expected: Int) async throws {
        let listening = try await eventually { try await listenerCount(database) >= expected }
        if !listening { throw NoListener() }
    }

    /// No session started listening in time.
    public struct NoListener: Error, CustomStringConvertible {
        public var description: String { "no notification listener started" }
    }
}

extension SchemaState {
    /// A schema state already current, for services a test runs on a database it migrated itself.
    public static var alreadyCurrent: SchemaState {
        let state = SchemaState()
        state.markCurrent()
        return state
    }
}
