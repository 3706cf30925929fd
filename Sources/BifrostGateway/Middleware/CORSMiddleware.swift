import HTTPTypes
import Hummingbird

/// Cross-origin access for browser clients from the configured origins only (`http.corsOrigins`; none by
/// default): a preflight (`OPTIONS` with `Access-Control-Request-Method`) from an allowed origin is answered here
/// with 204, before authentication; other requests from it get `Access-Control-Allow-Origin` naming it. Requests
/// from other origins get no CORS headers, so browsers keep their answers from the page.
struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>

    static var allowedMethods: String { "GET, POST, PUT, PATCH, DELETE" }
    static var allowedHeaders: String {
        "Authorization, Content-Type, X-Bifrost-Key, X-Organization-Id, Idempotency-Key, Last-Event-ID"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let origin = request.headers[.origin], allowedOrigins.contains(origin) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = Self.headers(for: origin)
            headers[.accessControlAllowMethods] = Self.allowedMethods
            headers[.accessControlAllowHeaders] = Self.allowedHeaders
            headers[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        for field in Self.headers(for: origin) { response.headers[field.name] = field.value }
        return response
    }

    private static func headers(for origin: String) -> HTTPFields {
        [
            .accessControlAllowOrigin: origin, .vary: "Origin",
            .accessControlExposeHeaders:
                "Location, X-Request-Id, X-Bifrost-Execution-Id, Idempotent-Replayed, Retry-After",
        ]
    }
}
