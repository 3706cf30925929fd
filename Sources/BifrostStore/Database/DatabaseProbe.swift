public import Logging
public import PostgresNIO

/// Answers "can the gateway use its database right now?" for `/health/ready`.
public struct DatabaseProbe: Sendable {
    private let client: PostgresClient
    private let schema: SchemaState
    private let logger: Logger

    public init(client: PostgresClient, schema: SchemaState, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    /// Each check by name (`database`, `schema`) with `ok` or why it fails.
    public func check() async -> [String: String] {
        var checks: [String: String] = [:]
        do {
            try await withDeadline(.seconds(2)) { [client, logger] in
                try await client.tracedQuery("SELECT 1", logger: logger)
            }
            checks["database"] = "ok"
        } catch {
            checks["database"] = "unreachable"
        }
        checks["schema"] = schema.isCurrent ? "ok" : "migrations pending"
        return checks
    }
}
