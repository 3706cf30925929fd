import HTTPTypes
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

/// Registers generated OpenAPI handlers on the router and notes each route in a `RouteTable`, except those of
/// `omittedPaths` (served elsewhere, such as `/metrics` on `metrics.port`), which are left unregistered.
struct RecordingTransport<Context: RequestContext>: ServerTransport {
    let router: Router<Context>
    let routes: RouteTable
    var omittedPaths: Set<String> = []

    func register(
        _ handler:
            @escaping @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (
                HTTPResponse, HTTPBody?
            ),
        method: HTTPRequest.Method,
        path: String
    ) throws {
        guard !omittedPaths.contains(path) else { return }
        routes.add(method: method, path: path)
        try router.register(handler, method: method, path: path)
    }
}
