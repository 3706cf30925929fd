import BifrostStore
public import Logging
public import PostgresNIO

/// A short-lived connection pool for command-line work (`bifrost migrate`, admin commands).
///
/// Uses the configured database, or the embedded cluster: the running one as it is (a `bifrost serve` in the same
/// folder keeps its database), else started for the duration of the work and stopped after.
public enum DatabaseSession {
    /// Runs `body` with a running `PostgresClient`.
    /// - Throws: what starting the database or `body` throws.
    public static func with<Result: Sendable>(
        configuration: GatewayConfiguration, logger: Logger,
        _ body: @Sendable (PostgresClient) async throws -> Result
    ) async throws -> Result {
        var embedded: EmbeddedPostgres?
        let url: DatabaseURL
        if let configured = configuration.database.url {
            url = configured
        } else {
            let cluster = EmbeddedPostgres(settings: configuration.embeddedPostgres, logger: logger)
            if let running = try await cluster.runningURL() {
                // A `bifrost serve` (or a cluster left running) has it: use it, and leave it running.
                url = running
            } else {
                url = try await cluster.start()
                embedded = cluster
            }
        }
        let client = PostgresClient(
            configuration: url.clientConfiguration(maximumConnections: 4, minimumConnections: 1),
            backgroundLogger: logger
        )
        do {
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                return try await body(client)
            }
            try await embedded?.stop()
            return result
        } catch {
            try? await embedded?.stop()
            throw error
        }
    }
}
