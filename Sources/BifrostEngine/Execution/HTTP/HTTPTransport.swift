public import Bifrost

/// What sends runs' outbound requests over the network, once each: the engine's policy (`RunHTTP`) decides
/// authorization, retries and logging around it. The gateway's is AsyncHTTPClient's (`OutboundHTTPTransport` in
/// BifrostRuntime), so that this module needs no networking library; tests give their own.
public protocol HTTPTransport: Sendable {
    /// Sends `request` as it is (its `authorization` already turned into headers) and returns the whole answer.
    /// Redirects are not followed.
    /// - Throws: `TransportFailure` when the connection failed, no whole answer came within `timeout`, or it is
    ///   larger than `maximumResponseSize` bytes; any other error counts as a network failure too.
    func send(_ request: OutboundRequest, timeout: Duration, maximumResponseSize: Int) async throws
        -> OutboundResponse
}

/// Why a transport got no usable answer.
public enum TransportFailure: Error, Sendable, Hashable {
    /// The connection failed or broke; the text says how, without the request's URL or headers.
    case unreachable(String)
    /// No whole answer within the request's timeout.
    case timedOut
    /// The body is larger than the bound.
    case responseTooLarge
}
