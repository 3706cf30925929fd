import BifrostRuntime
import HTTPTypes
import Hummingbird

/// Works out the client's address once per request (`TrustedProxies`): into the context, for routes and
/// middleware, and into `RequestTrace.clientAddress`, for the generated handlers (login throttle, audit).
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let proxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.clientAddress = proxies.clientAddress(
            peer: context.peerAddress, forwarded: request.headers[.forwarded],
            forwardedFor: request.headers[.xForwardedFor]
        )
        return try await RequestTrace.$clientAddress.withValue(context.clientAddress) {
            try await next(request, context)
        }
    }
}

extension HTTPField.Name {
    /// `Forwarded` (RFC 7239).
    static let forwarded = HTTPField.Name("Forwarded")!
    /// `X-Forwarded-For`: the de-facto list of addresses a request passed through.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
