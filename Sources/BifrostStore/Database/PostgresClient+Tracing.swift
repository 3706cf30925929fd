import BifrostTelemetry
package import Logging
package import PostgresNIO

// Every statement the stores send goes through these, so that each is a span of the trace it runs in
// (`StatementSpan`: operation and table, no values). `StatementTracingTests` fails if a store calls PostgresNIO's
// `query` or `execute` directly.

extension PostgresClient {
    /// `query(_:logger:)`, inside a span when tracing is on.
    package func tracedQuery(
        _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> PostgresRowSequence {
        try await StatementSpan.around(query.sql) {
            try await self.query(query, logger: logger, file: file, line: line)
        }
    }

    /// `execute(_:logger:)` of a prepared statement, inside a span when tracing is on.
    package func tracedExecute<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Statement.Row> {
        try await StatementSpan.around(Statement.sql) {
            try await self.execute(statement, logger: logger, file: file, line: line)
        }
    }
}

extension PostgresConnection {
    /// `query(_:logger:)`, inside a span when tracing is on.
    package func tracedQuery(
        _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> PostgresRowSequence {
        try await StatementSpan.around(query.sql) {
            try await self.query(query, logger: logger, file: file, line: line)
        }
    }

    /// `execute(_:logger:)` of a prepared statement, inside a span when tracing is on.
    package func tracedExecute<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Statement.Row> {
        try await StatementSpan.around(Statement.sql) {
            try await self.execute(statement, logger: logger, file: file, line: line)
        }
    }
}
