public import Foundation

/// Why an outbound request did not give the answer a workflow wanted. Its message names the method and the URL
/// without user name, password or query values, so that it may go into the run's error and log.
public struct OutboundHTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Hashable {
        /// The answer's status is not 2xx.
        case status(Int)
        /// The body is not JSON of the expected type: which type, and what did not match.
        case undecodable(type: String, problem: String)
        /// No answer came: the connection failed or broke.
        case unreachable(String)
        /// No whole answer came within the timeout.
        case timedOut(Duration)
        /// The answer's body is larger than the gateway accepts, in bytes.
        case responseTooLarge(limit: Int)
        /// A paged list has more pages than the bound the workflow gave.
        case tooManyPages(limit: Int)
    }

    /// The request's method.
    public var method: OutboundRequest.Method
    /// The request's URL as it may be shown: no user name, password, query values or fragment.
    public var url: String
    /// What went wrong.
    public var reason: Reason
    /// How many times the request was sent.
    public var attempts: Int

    /// An error about `method` at `url` (shown without its credentials).
    public init(method: OutboundRequest.Method, url: URL, reason: Reason, attempts: Int = 1) {
        self.method = method
        self.url = url.withoutCredentials
        self.reason = reason
        self.attempts = attempts
    }

    /// The status code, when the error is about one.
    public var status: Int? {
        if case .status(let status) = reason { status } else { nil }
    }

    /// What happened, with the method and URL: `GET https://graph.microsoft.com/v1.0/users answered 503 (after 4
    /// attempts)`.
    public var description: String {
        let request = "\(method) \(url)"
        let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
        switch reason {
        case .status(let status): return "\(request) answered \(status)\(tries)"
        case .undecodable(let type, let problem): return "\(request): the answer is not a \(type): \(problem)"
        case .unreachable(let problem): return "\(request) failed\(tries): \(problem)"
        case .timedOut(let timeout): return "\(request) got no answer within \(timeout)\(tries)"
        case .responseTooLarge(let limit): return "\(request): the answer is larger than \(limit) bytes"
        case .tooManyPages(let limit): return "\(request): the list has more than \(limit) pages"
        }
    }
}
