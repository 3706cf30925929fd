public import Bifrost
public import BifrostEngine
import Synchronization

/// A transport for `WorkflowTester(http:)` that answers from the test instead of the network, and keeps every
/// request it was given (with the headers the gateway added, such as `Authorization`).
///
/// ```swift
/// let graph = HTTPStub { request in
///     OutboundResponse(status: 201, body: Data(#"{"id":"u-1"}"#.utf8), url: request.url)
/// }
/// let tester = WorkflowTester(http: graph)
/// ```
public final class HTTPStub: HTTPTransport, Sendable {
    /// Makes the answer to a request; throwing stands for a network failure.
    public typealias Answer = @Sendable (OutboundRequest) async throws -> OutboundResponse

    private let answer: Answer
    private let received = Mutex<[OutboundRequest]>([])

    /// A stub answering each request with `answer`.
    public init(_ answer: @escaping Answer) { self.answer = answer }

    /// The requests sent so far, in order.
    public var requests: [OutboundRequest] { received.withLock { $0 } }

    /// Records `request` and returns `answer`'s answer to it.
    public func send(_ request: OutboundRequest, timeout: Duration, maximumResponseSize: Int) async throws
        -> OutboundResponse
    {
        received.withLock { $0.append(request) }
        return try await answer(request)
    }
}
