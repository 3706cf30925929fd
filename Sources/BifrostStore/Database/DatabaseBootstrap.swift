import Foundation
public import Logging
public import PostgresNIO

/// Server-level chores done over a single short-lived connection, before the gateway's pool exists.
public enum DatabaseBootstrap {
    /// Creates database `name` on the server at `serverURL` unless it exists.
    ///
    /// `serverURL` must name a database that exists (usually `postgres`) and a role allowed to create databases.
    /// - Throws: the PostgreSQL error when the server refuses.
    public static func createDatabaseIfMissing(_ name: String, on serverURL: DatabaseURL, logger: Logger) async throws {
        try await withConnection(to: serverURL, logger: logger) { connection in
            let rows = try await connection.tracedQuery(
                "SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger)
            var exists = false
            for try await _ in rows { exists = true }
            guard !exists else { return }
            // CREATE DATABASE takes no bind parameters; the name is quoted as an identifier.
            try await connection.tracedQuery(
                PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoteIdentifier(name))"), logger: logger)
        }
    }

    /// Drops database `name` on the server at `serverURL` if it exists, ending its sessions.
    public static func dropDatabaseIfExists(_ name: String, on serverURL: DatabaseURL, logger: Logger) async throws {
        try await withConnection(to: serverURL, logger: logger) { connection in
            try await connection.tracedQuery(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(quoteIdentifier(name)) WITH (FORCE)"),
                logger: logger
            )
        }
    }

    /// Opens one connection, runs `body`, and closes it.
    public static func withConnection<Result: Sendable>(
        to url: DatabaseURL, logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await PostgresConnection.connect(
            configuration: try url.connectionConfiguration(), id: 1, logger: logger
        )
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// `name` as a double-quoted SQL identifier.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
