import HTTPTypes
import OpenAPIRuntime

/// Applies the access policy to every generated admin API operation, by its operationId (default deny).
struct PolicyEnforcement: ServerMiddleware {
    let policy: AccessPolicy

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        switch policy.decide(operationID: operationID, role: RequestIdentity.current?.principal.role) {
        case .allow:
            return try await next(request, body, metadata)
        case .unauthenticated:
            throw Problem.unauthorized()
        case .forbidden:
            throw Problem.forbidden("This operation is not granted to the caller's role.")
        }
    }
}
