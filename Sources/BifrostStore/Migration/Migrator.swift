public import Foundation
public import Logging
public import PostgresNIO

/// Applies migrations in order, each in its own transaction, under a PostgreSQL advisory lock.
///
/// Replicas that start together queue on the lock: the first applies what is pending, the others then find
/// nothing left to do. Applied versions are recorded in `bifrost_schema_migrations`.
public struct Migrator: Sendable {
    /// What `status()` reports for each known migration.
    public struct Entry: Sendable, Equatable {
        public var version: Int
        public var fileName: String
        /// When it was applied; nil while pending.
        public var appliedAt: Date?
    }

    /// A migration that PostgreSQL refused; its transaction was rolled back.
    public struct Failure: StartupRefusal, CustomStringConvertible {
        /// The file that failed.
        public var fileName: String
        /// PostgreSQL's message (and detail, when it gave one).
        public var message: String
        public var description: String { "migration \(fileName) failed: \(message)" }
    }

    /// Key of the session-level advisory lock (the bytes of "bifrstmg").
    public static let lockKey: Int64 = 0x6269_6672_7374_6D67

    private let client: PostgresClient
    private let migrations: [Migration]
    private let logger: Logger

    public init(client: PostgresClient, migrations: [Migration], logger: Logger) {
        self.client = client
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies every pending migration.
    /// - Returns: the migrations applied by this call (empty when the schema was current).
    /// - Throws: `Failure` for a migration PostgreSQL refused; connection errors as PostgresNIO reports them.
    @discardableResult
    public func migrate() async throws -> [Migration] {
        try await client.withConnection { connection in
            try await connection.tracedQuery("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await applyPending(on: connection)
                try await connection.tracedQuery("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.tracedQuery("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// Every known migration with when it was applied.
    public func status() async throws -> [Entry] {
        let applied = try await client.withConnection { connection in
            try await appliedVersions(on: connection)
        }
        return migrations.map { Entry(version: $0.version, fileName: $0.fileName, appliedAt: applied[$0.version]) }
    }

    /// Whether every known migration has been applied.
    public func isCurrent() async throws -> Bool {
        try await status().allSatisfy { $0.appliedAt != nil }
    }

    private func applyPending(on connection: PostgresConnection) async throws -> [Migration] {
        try await createLedger(on: connection)
        let applied = try await appliedVersions(on: connection)
        var done: [Migration] = []
        for migration in migrations where applied[migration.version] == nil {
            logger.info("Applying migration", metadata: ["bifrost.migration": "\(migration.fileName)"])
            do {
                try await connection.tracedQuery("BEGIN", logger: logger)
                for statement in SQLScript.statements(in: migration.sql) {
                    try await connection.tracedQuery(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.tracedQuery(
                    "INSERT INTO bifrost_schema_migrations (version, file_name) VALUES (\(migration.version), \(migration.fileName))",
                    logger: logger
                )
                try await connection.tracedQuery("COMMIT", logger: logger)
            } catch let error as PSQLError where error.serverInfo != nil {
                _ = try? await connection.tracedQuery("ROLLBACK", logger: logger)
                throw Failure(fileName: migration.fileName, message: error.serverMessage)
            } catch {
                _ = try? await connection.tracedQuery("ROLLBACK", logger: logger)
                throw error
            }
            done.append(migration)
        }
        return done
    }

    private func createLedger(on connection: PostgresConnection) async throws {
        try await connection.tracedQuery(
            """
            CREATE TABLE IF NOT EXISTS bifrost_schema_migrations (
                version integer PRIMARY KEY,
                file_name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
    }

    /// Applied versions; none when the ledger does not exist yet (read-only, so safe without the lock).
    private func appliedVersions(on connection: PostgresConnection) async throws -> [Int: Date] {
        var applied: [Int: Date] = [:]
        let ledger = try await connection.tracedQuery(
            "SELECT to_regclass('bifrost_schema_migrations') IS NOT NULL", logger: logger
        )
        for try await exists in ledger.decode(Bool.self) where !exists { return [:] }
        let rows = try await connection.tracedQuery(
            "SELECT version, applied_at FROM bifrost_schema_migrations", logger: logger
        )
        for try await (version, appliedAt) in rows.decode((Int, Date).self) {
            applied[version] = appliedAt
        }
        return applied
    }
}

extension PSQLError {
    /// PostgreSQL's own message and detail, without the query text or bind values.
    package var serverMessage: String {
        guard let info = serverInfo else { return "\(code)" }
        var message = info[.message] ?? "\(code)"
        if let detail = info[.detail] { message += " (\(detail))" }
        if let sqlState = info[.sqlState] { message += " [SQLSTATE \(sqlState)]" }
        return message
    }
}
