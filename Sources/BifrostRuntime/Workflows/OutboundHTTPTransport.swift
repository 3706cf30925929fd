import AsyncHTTPClient
public import Bifrost
public import BifrostEngine
import BifrostTelemetry
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
public import ServiceLifecycle
import Synchronization
import Tracing

/// The gateway's one AsyncHTTPClient for runs' `context.http`, and the service that owns it: the client is made
/// when the service starts and shut down when it stops. First in the assembly's services, it stops last, after
/// the workers have finished their runs.
///
/// Redirects are never followed, so that a token attached for one host cannot follow a redirect to another: the
/// 3xx answer goes back to the workflow. Bodies larger than the engine's bound are refused while they arrive.
public final class OutboundHTTPTransport: HTTPTransport, Service {
    private let client = Mutex<HTTPClient?>(nil)

    /// A transport with no client yet: `run()` (or `withClient`) makes it.
    public init() {}

    /// Makes the client, serves requests until graceful shutdown (or cancellation), then shuts the client down.
    public func run() async throws {
        try await withClient { try? await gracefulShutdown() }
    }

    /// Makes the client, runs `body`, then shuts the client down: for a run outside a service group
    /// (`bifrost workflows run`, tests).
    /// - Throws: what `body` throws, or the client's shutdown error.
    @discardableResult
    public func withClient<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10))
        )
        // AsyncHTTPClient's own spans would record the whole address, query string included; `send` records one
        // that names only the host.
        configuration.tracing.tracer = nil
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        client.withLock { $0 = http }
        let outcome: Swift.Result<Result, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        client.withLock { $0 = nil }
        try await http.shutdown()
        return try outcome.get()
    }

    /// Sends `request` once and returns the whole answer.
    /// - Throws: `TransportFailure`: `.unreachable` when the connection failed (or the client is not running),
    ///   `.timedOut`, `.responseTooLarge`; `CancellationError` when the run was cancelled.
    public func send(_ request: OutboundRequest, timeout: Duration, maximumResponseSize: Int) async throws
        -> OutboundResponse
    {
        guard let http = client.withLock({ $0 }) else {
            throw TransportFailure.unreachable("the gateway's HTTP client is not running")
        }
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers { outgoing.headers.add(name: field.name, value: field.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(data: body)) }
        guard TracingSwitch.recordsChildren else {
            return try await exchange(outgoing, with: http, for: request, timeout: timeout, limit: maximumResponseSize)
        }
        return try await withSpan("HTTP \(request.method.rawValue)", ofKind: .client) { span in
            span.attributes[SpanAttribute.httpMethod] = request.method.rawValue
            span.attributes[SpanAttribute.serverAddress] = request.url.host ?? ""
            if let port = request.url.port { span.attributes[SpanAttribute.serverPort] = port }
            for field in PropagationHeaders.of(span.context) {
                outgoing.headers.replaceOrAdd(name: field.name, value: field.value)
            }
            let response = try await exchange(
                outgoing, with: http, for: request, timeout: timeout, limit: maximumResponseSize)
            span.attributes[SpanAttribute.httpStatus] = response.status
            if response.status >= 500 { span.setStatus(SpanStatus(code: .error)) }
            return response
        }
    }

    /// Sends `outgoing` and reads the answer, mapping AsyncHTTPClient's errors to `TransportFailure`.
    private func exchange(
        _ outgoing: HTTPClientRequest, with http: HTTPClient, for request: OutboundRequest, timeout: Duration,
        limit maximumResponseSize: Int
    ) async throws -> OutboundResponse {
        do {
            let response = try await http.execute(outgoing, deadline: .now() + .init(timeout))
            let body = try await response.body.collect(upTo: maximumResponseSize)
            return OutboundResponse(
                status: Int(response.status.code),
                headers: OutboundHeaders(response.headers.map { (name: $0.name, value: $0.value) }),
                body: Data(buffer: body), method: request.method, url: request.url
            )
        } catch is NIOTooManyBytesError {
            throw TransportFailure.responseTooLarge
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout].contains(error) {
            throw TransportFailure.timedOut
        } catch let error as HTTPClientError where error == .cancelled {
            throw CancellationError()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw TransportFailure.unreachable(String("\(error)".prefix(200)))
        }
    }
}
