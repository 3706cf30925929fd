import Foundation
import PostgresNIO

/// The two statements every run executes, prepared once per connection so PostgreSQL plans them once rather
/// than for every run.
enum ExecutionStatements {
    /// Inserts a `Running` row and reads the organisation's name in the same round trip.
    struct Start: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO executions (id, workflow, organization_id, status, input, started_by_user, started_by_key,
                                    started_by, owner_instance, created_at, started_at)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11)
            RETURNING (SELECT name FROM organizations WHERE id = executions.organization_id)
            """
        typealias Row = String?
        /// Declared, so that the JSON text in `$5` is sent as text and cast by the server.
        static let bindingDataTypes: [PostgresDataType] = [
            .uuid, .text, .uuid, .text, .text, .uuid, .uuid, .text, .uuid, .timestamptz, .timestamptz,
        ]

        var record: ExecutionRecord
        var input: String
        var owner: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 11)
            bindings.append(record.id)
            bindings.append(record.workflow)
            bindings.append(record.organizationID)
            bindings.append(record.status.rawValue)
            bindings.append(input)
            bindings.append(record.startedBy.userID)
            bindings.append(record.startedBy.apiKeyID)
            bindings.append(record.startedBy.label)
            bindings.append(owner)
            bindings.append(record.createdAt)
            bindings.append(record.startedAt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String?.self) }
    }

    /// Records the outcome and inserts every log line, atomically (one statement).
    struct Finish: PostgresPreparedStatement {
        static let sql = """
            WITH finished AS (
                UPDATE executions SET status = $2, result = $3::jsonb, error = $4, finished_at = $5, duration_ms = $6,
                    owner_instance = NULL
                WHERE id = $1 RETURNING id
            )
            INSERT INTO execution_logs (execution_id, sequence, level, message, logged_at)
            SELECT finished.id, line.sequence, line.level, line.message, line.logged_at
            FROM finished, unnest($7::integer[], $8::text[], $9::text[], $10::timestamptz[])
                 AS line(sequence, level, message, logged_at)
            """
        typealias Row = Void
        /// Declared, so that the JSON text in `$3` is sent as text and cast by the server.
        static let bindingDataTypes: [PostgresDataType] = [
            .uuid, .text, .text, .text, .timestamptz, .int8, .int4Array, .textArray, .textArray, .timestamptzArray,
        ]

        var record: ExecutionRecord
        var result: String?
        var logs: [ExecutionLogLine]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 10)
            bindings.append(record.id)
            bindings.append(record.status.rawValue)
            bindings.append(result)
            bindings.append(record.error)
            bindings.append(record.finishedAt)
            bindings.append(record.durationMilliseconds.map(Int64.init))
            bindings.append(logs.map { Int32($0.sequence) })
            bindings.append(logs.map(\.level))
            bindings.append(logs.map(\.message))
            bindings.append(logs.map(\.loggedAt))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }
}
