package import Bifrost
import Foundation
package import Logging

/// `context.http` of one run: attaches OAuth tokens through the run's `context.oauth` (only at the provider's
/// declared API addresses), retries what may be retried, and logs one line per request sent.
///
/// Retries: a 429 or 503 answer is retried after its `Retry-After` (seconds or a date), or after a wait that
/// doubles from `OutboundPolicy.firstRetryWait` when it names none; a network failure is retried the same way
/// for an idempotent method only, since a POST that failed on the way back may have taken effect. At most
/// `maximumAttempts` are made; the last answer is returned as it is (and an answer asking for a wait longer than
/// `maximumRetryWait` at once). A timeout is not retried: the run's own time is better spent failing.
package struct RunHTTP: WorkflowHTTP {
    let transport: any HTTPTransport
    /// The run's `context.oauth`, which hides each token it hands out from the run's log, result and error.
    let oauth: any OAuthTokens
    let policy: OutboundPolicy
    /// The run's logger: its lines are the run's log.
    let logger: Logger

    /// The service of a run whose tokens come from `oauth` and whose log is `logger`.
    package init(transport: any HTTPTransport, oauth: any OAuthTokens, policy: OutboundPolicy, logger: Logger) {
        self.transport = transport
        self.oauth = oauth
        self.policy = policy
        self.logger = logger
    }

    package func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        guard let scheme = request.url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            request.url.host?.isEmpty == false
        else {
            throw WorkflowError("\(request.url.withoutCredentials) is not an http or https address")
        }
        var outgoing = request
        if let authorization = request.authorization {
            outgoing.headers["Authorization"] = try await header(for: authorization, url: request.url)
        }
        let timeout = request.timeout ?? policy.defaultTimeout
        var backoff = policy.firstRetryWait
        for attempt in 1... {
            let started = ContinuousClock.now
            let answer: OutboundResponse
            do {
                answer = try await transport.send(
                    outgoing, timeout: timeout, maximumResponseSize: policy.maximumResponseSize)
            } catch let failure {
                try Task.checkCancellation()
                let reason = Self.reason(failure, timeout: timeout, limit: policy.maximumResponseSize)
                log(request, outcome: Self.summary(reason), since: started)
                guard case .unreachable = reason, request.method.isIdempotent, attempt < policy.maximumAttempts else {
                    throw OutboundHTTPError(method: request.method, url: request.url, reason: reason, attempts: attempt)
                }
                try await policy.sleep(backoff)
                backoff *= 2
                continue
            }
            log(request, outcome: "\(answer.status)", since: started)
            var response = answer
            response.method = request.method
            response.url = request.url
            response.attempts = attempt
            guard [429, 503].contains(answer.status), attempt < policy.maximumAttempts else { return response }
            let asked = answer.headers["Retry-After"].flatMap { RetryAfter.wait($0, now: policy.now()) }
            let wait = asked ?? backoff
            guard wait <= policy.maximumRetryWait else {
                logger.warning("Not retrying: the answer asks to wait \(wait), more than \(policy.maximumRetryWait)")
                return response
            }
            try await policy.sleep(wait)
            backoff *= 2
        }
        preconditionFailure("an unbounded range of attempts ended")
    }

    /// The `Authorization` header `authorization` puts on a request to `url`.
    /// - Throws: `WorkflowError` when there is no such connection or its token may not go to `url`.
    private func header(for authorization: OutboundAuthorization, url: URL) async throws -> String {
        switch authorization {
        case .oauth(let connection):
            guard let token = try await oauth.getToken(connection) else {
                throw WorkflowError("There is no \"\(connection)\" OAuth connection for this run's organisation")
            }
            return try token.authorizationHeader(for: url)
        }
    }

    /// One line in the run's log: `GET https://graph.microsoft.com/v1.0/users?$top → 200 (35 ms)`; never a
    /// header, a query value or the URL's user name and password.
    private func log(_ request: OutboundRequest, outcome: String, since started: ContinuousClock.Instant) {
        let milliseconds = (ContinuousClock.now - started) / .milliseconds(1)
        logger.info("\(request.method) \(request.url.withoutCredentials) → \(outcome) (\(Int(milliseconds)) ms)")
    }

    private static func reason(_ failure: any Error, timeout: Duration, limit: Int) -> OutboundHTTPError.Reason {
        switch failure as? TransportFailure {
        case .timedOut: .timedOut(timeout)
        case .responseTooLarge: .responseTooLarge(limit: limit)
        case .unreachable(let problem): .unreachable(problem)
        case nil: .unreachable("network failure (\(type(of: failure)))")
        }
    }

    private static func summary(_ reason: OutboundHTTPError.Reason) -> String {
        switch reason {
        case .timedOut: "timed out"
        case .responseTooLarge: "answer too large"
        case .unreachable(let problem): "failed: \(problem)"
        default: "failed"
        }
    }
}
