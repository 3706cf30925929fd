public import Tracing

/// A span around one SQL statement, named after its operation and table (`StatementSummary`), as a client span
/// of the current trace. Nothing of the statement's values is recorded.
public enum StatementSpan {
    /// Runs `body` inside a span for `sql` when tracing is on; otherwise just runs it. Either way it is counted in
    /// `StatementsInFlight`.
    @inlinable
    public static func around<Result>(
        _ sql: @autoclosure () -> String, isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> Result
    ) async throws -> Result {
        StatementsInFlight.begin()
        defer { StatementsInFlight.end() }
        guard TracingSwitch.recordsChildren, let parent = ServiceContext.current else { return try await body() }
        return try await traced(StatementSummary(sql: sql()), parent: parent, body)
    }

    @usableFromInline
    static func traced<Result>(
        _ summary: StatementSummary, parent: ServiceContext, isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> Result
    ) async throws -> Result {
        let span = InstrumentationSystem.tracer.startSpan(summary.spanName, context: parent, ofKind: .client)
        span.attributes[SpanAttribute.dbSystem] = "postgresql"
        span.attributes[SpanAttribute.dbOperation] = summary.operation
        if let table = summary.table { span.attributes[SpanAttribute.dbTable] = table }
        defer { span.end() }
        do {
            return try await body()
        } catch {
            // The error's type only: a PostgreSQL error's text can quote a value.
            span.setStatus(SpanStatus(code: .error, message: String(describing: type(of: error))))
            throw error
        }
    }
}
