import HTTPTypes
import Hummingbird

/// Limits requests without credentials per client address (`anonymous` in `Policies/rate-limits.yaml`): login,
/// token refresh, webhooks and the OAuth callback, so that nobody can flood them from one address. Health checks
/// and metrics are left alone (orchestrators poll them). Calls with credentials are limited per caller by
/// `AccessGate`, after authorisation.
struct AddressRateLimitMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let gate: AccessGate

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if context.identity == nil, !Self.isProbe(request.uri.path) {
            try gate.limitAnonymous(address: context.clientAddress)
        }
        return try await next(request, context)
    }

    private static func isProbe(_ path: String) -> Bool {
        path.hasPrefix("/health/") || path == "/metrics"
    }
}
