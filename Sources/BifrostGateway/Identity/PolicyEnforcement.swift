import BifrostRuntime
import HTTPTypes
import OpenAPIRuntime

/// Admits every generated admin API operation through the `AccessGate` (policy by operationId, default deny,
/// then the caller's rate limits), and adds the `RateLimit-*` headers to the answer.
struct PolicyEnforcement: ServerMiddleware {
    let gate: AccessGate

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let limitHeaders = try gate.admit(RequestIdentity.current, to: operationID)
        var (response, body) = try await next(request, body, metadata)
        response.headerFields.append(contentsOf: limitHeaders)
        return (response, body)
    }
}
