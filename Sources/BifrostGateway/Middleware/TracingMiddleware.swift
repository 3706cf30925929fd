import BifrostTelemetry
import HTTPTypes
import Hummingbird
import Logging
import Tracing

/// Makes each request a server span, continuing the caller's trace when it sends a W3C `traceparent`
/// (a webhook sender, a client that traces), and, when the span is recorded (sampled), puts the trace id in the
/// request's log lines (`bifrost.trace.id`), its `RequestObservation` and the `traceresponse` header.
///
/// The span is named after the route template (`POST /api/workflows/{name}/execute`), never the raw path, and
/// records the method, template, status and request id: not the query string (an OAuth callback's carries the
/// authorization code), not the peer. Hummingbird's own tracing middleware records both, hence this one. With
/// tracing off, and for health probes and metrics scrapes, it does nothing.
struct TracingMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        // Probes and scrapes come every few seconds and say nothing about a request: no traces of their own.
        guard TracingSwitch.isOn, !request.uri.path.hasPrefix("/health/"), request.uri.path != "/metrics" else {
            return try await next(request, context)
        }
        var parent = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: FieldsExtractor())
        let method = request.method.rawValue
        let span = InstrumentationSystem.tracer.startSpan(method, context: parent, ofKind: .server)
        defer { span.end() }
        // A request the sampler dropped goes on without the span as its context: none of its children would be
        // recorded, so none is started.
        guard span.isRecording else { return try await next(request, context) }
        span.attributes[SpanAttribute.httpMethod] = method
        span.attributes[SpanAttribute.requestID] = context.id
        var context = context
        let trace = TraceParent.of(span.context)
        if let trace {
            context.logger[metadataKey: "bifrost.trace.id"] = .string(trace.traceID)
            context.observation.update { $0.traceID = trace.traceID }
        }
        do {
            var response = try await TracingSwitch.recording(span) { [context] in try await next(request, context) }
            finish(span, method: method, context: context, status: Int(response.status.code))
            if let trace { response.headers[.traceResponse] = trace.header }
            return response
        } catch {
            // ProblemMiddleware, further in, turns errors into answers; what still escapes is a server error.
            finish(
                span, method: method, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500)
            span.setStatus(SpanStatus(code: .error, message: String(describing: type(of: error))))
            throw error
        }
    }

    private func finish(_ span: any Span, method: String, context: Context, status: Int) {
        let route = context.endpointPath ?? "NotFound"
        span.operationName = "\(method) \(route)"
        span.attributes[SpanAttribute.httpRoute] = route
        span.attributes[SpanAttribute.httpStatus] = status
        if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
    }
}

/// Reads `traceparent` and `tracestate` from request headers.
private struct FieldsExtractor: Extractor {
    func extract(key: String, from fields: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { fields[$0] }
    }
}

extension HTTPField.Name {
    /// W3C Trace Context's response header: the trace the request was recorded in.
    static let traceResponse = HTTPField.Name("traceresponse")!
}
