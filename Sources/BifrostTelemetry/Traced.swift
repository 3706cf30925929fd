public import Tracing

/// Runs work inside a span of the current trace when the current span is recorded, as the span's current context
/// (so the statements and calls it makes are its children); otherwise (tracing off, or a trace the sampler dropped)
/// runs it with no span at all.
///
/// Unlike `withSpan`, an error marks the span with the error's type only: `recordError` would copy the error's
/// description, and a provider's or PostgreSQL's message can quote what was sent.
public enum Traced {
    public static func span<Result>(
        _ name: String, ofKind kind: SpanKind = .internal, isolation: isolated (any Actor)? = #isolation,
        _ body: ((any Span)?) async throws -> Result
    ) async throws -> Result {
        guard TracingSwitch.recordsChildren else { return try await body(nil) }
        let span = InstrumentationSystem.tracer.startSpan(
            name, context: ServiceContext.current ?? .topLevel, ofKind: kind)
        defer { span.end() }
        do {
            return try await ServiceContext.$current.withValue(
                span.context, operation: { try await body(span) }, isolation: isolation)
        } catch {
            span.setStatus(SpanStatus(code: .error, message: String(describing: type(of: error))))
            throw error
        }
    }
}
