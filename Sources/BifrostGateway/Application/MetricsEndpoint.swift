import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics` alone, for a port of its own (`metrics.port`): the same registry the API port would serve,
/// without the API's middleware, so that a scraper needs no credentials and the API's surface has no `/metrics`.
enum MetricsEndpoint {
    /// A router with `GET /metrics` (Prometheus text format); anything else is Hummingbird's 404.
    static func router(registry: PrometheusCollectorRegistry) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
        return router
    }
}
