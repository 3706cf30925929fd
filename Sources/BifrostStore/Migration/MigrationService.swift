public import Logging
public import PostgresNIO
public import ServiceLifecycle

/// Brings the schema up to date at start-up, waiting for the database with backoff while it is unreachable.
///
/// A migration that PostgreSQL refuses ends the service with `Migrator.Failure`, and so does any other
/// `StartupRefusal` of `afterMigration` (a wrong master key), which stops the whole `ServiceGroup`: the gateway
/// never serves a half-migrated schema. Once done, the service idles until shutdown.
public struct MigrationService: Service {
    private let migrator: Migrator
    private let schema: SchemaState
    private let logger: Logger
    private let attemptTimeout: Duration
    private let afterMigration: @Sendable () async throws -> Void

    /// - Parameter afterMigration: work that needs the current schema (such as creating the first admin);
    ///   it runs before the schema is reported current, and its failure stops start-up.
    public init(
        client: PostgresClient, migrations: [Migration], schema: SchemaState, logger: Logger,
        attemptTimeout: Duration = .seconds(10),
        afterMigration: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.migrator = Migrator(client: client, migrations: migrations, logger: logger)
        self.schema = schema
        self.logger = logger
        self.attemptTimeout = attemptTimeout
        self.afterMigration = afterMigration
    }

    public func run() async throws {
        var delay = Duration.milliseconds(500)
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                let applied = try await withDeadline(attemptTimeout) { [migrator] in try await migrator.migrate() }
                try await afterMigration()
                schema.markCurrent()
                logger.info("Database schema is current", metadata: ["bifrost.migrations.applied": "\(applied.count)"])
                break
            } catch let refusal as any StartupRefusal {
                throw refusal
            } catch {
                logger.warning(
                    "Database unreachable; retrying",
                    metadata: ["bifrost.retry.in": "\(delay)", "error.message": "\(Self.describe(error))"]
                )
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(15))
            }
        }
        try? await gracefulShutdown()
    }

    /// A short, secret-free description of a connection problem.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError { return error.serverInfo == nil ? "\(error.code)" : error.serverMessage }
        return "\(error)"
    }
}
