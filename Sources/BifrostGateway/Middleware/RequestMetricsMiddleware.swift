import BifrostTelemetry
import HTTPTypes
import Hummingbird
import Metrics

/// Counts requests and times them, by route template, method and status.
///
/// Metrics: `http_requests_total` (counter) and `http_request_duration_seconds` (histogram). The route is the
/// template (`/api/users/{id}`), or `NotFound` (Hummingbird's name) for addresses without a route, so label
/// values stay bounded, and each pair of metrics is made once per route, method and status (`MetricHandles`).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private struct Labels: Hashable, Sendable {
        let route: String
        let method: HTTPRequest.Method
        let status: Int
    }

    private let handles: MetricHandles<Labels, (count: Counter, duration: Metrics.Timer)>

    init(factory: any MetricsFactory) {
        handles = MetricHandles { labels in
            let dimensions = [
                ("route", labels.route), ("method", labels.method.rawValue), ("status", String(labels.status)),
            ]
            return (
                Counter(label: "http_requests_total", dimensions: dimensions, factory: factory),
                Metrics.Timer(label: "http_request_duration_seconds", dimensions: dimensions, factory: factory)
            )
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            record(request: request, context: context, status: 500, since: start)
            throw error
        }
        record(request: request, context: context, status: response.status.code, since: start)
        return response
    }

    private func record(request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        let metrics = handles(Labels(route: context.endpointPath ?? "NotFound", method: request.method, status: status))
        metrics.count.increment()
        metrics.duration.recordInterval(since: start)
    }
}

extension Metrics.Timer {
    fileprivate func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
