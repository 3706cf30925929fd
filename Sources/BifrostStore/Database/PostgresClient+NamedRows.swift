import Logging
import PostgresNIO

extension PostgresClient {
    /// Deletes `scope`'s row of `table` whose `column` is `name`, and in the same statement notifies `channel` with
    /// the name (so every replica's cache forgets it). `table` and `column` are the caller's constants, never input.
    /// - Returns: whether there was such a row.
    func deleteNamedRow(
        _ name: String, column: String, from table: String, in scope: Scope, notifying channel: String, logger: Logger
    ) async throws -> Bool {
        let rows = try await query(
            """
            WITH deleted AS (
                DELETE FROM \(unescaped: table) WHERE organization_id IS NOT DISTINCT FROM \(scope.organizationID)
                    AND \(unescaped: column) = \(name)
                RETURNING \(unescaped: column) AS name
            )
            SELECT name, pg_notify(\(channel), name) FROM deleted
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }
}
