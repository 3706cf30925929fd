/// `context.http`: HTTP requests from a workflow to other services, through the gateway.
///
/// The gateway sends each request with its policy: an OAuth connection's token attached only at its provider's
/// declared API addresses (`OutboundAuthorization.oauth`), retries of throttled (429) and unavailable (503)
/// answers after the wait the service asks for (`Retry-After`), retries of network failures for idempotent
/// methods only, a timeout per request, a bound on the answer's size, and one line in the run's log per request
/// (never a credential). Redirects are not followed: a 3xx answer comes back as it is.
///
/// The names `OutboundRequest` and `OutboundResponse` say which way the request goes (out of the gateway) and
/// keep clear of AsyncHTTPClient's `HTTPClient`/`HTTPClientRequest` and swift-http-types' `HTTPRequest`/
/// `HTTPResponse`, which a workflow may import too.
///
/// ```swift
/// let users = try await context.http.collectPages(
///     "https://graph.microsoft.com/v1.0/users", of: User.self, authorization: .oauth("microsoft"))
/// ```
public protocol WorkflowHTTP: Sendable {
    /// Sends `request` and returns the answer, whatever its status (`OutboundResponse.requireSuccess()` turns
    /// a non-2xx one into an error).
    /// - Throws: `WorkflowError` when the request's OAuth connection does not exist or its token may not go to
    ///   the request's URL (nothing is sent then); `OutboundHTTPError` when no answer came (network failure,
    ///   timeout) or the answer is larger than the gateway allows.
    func send(_ request: OutboundRequest) async throws -> OutboundResponse
}
