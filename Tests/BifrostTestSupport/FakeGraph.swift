public import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A Graph-like API on 127.0.0.1 for tests of `context.http`: `GET /v1.0/users` lists `pages` pages of one user
/// each, each page's `@odata.nextLink` naming the next (`?page=2`, …); it wants `Authorization: Bearer
/// <accessToken>` and answers 401 without, and can throttle the first request of a page (429 with
/// `Retry-After: 2`). `GET /moved` redirects to `/elsewhere` on `localhost`, another host name for the same server,
/// and `GET /large` answers a 64 KiB body. It keeps every request it got.
public final class FakeGraph: Sendable {
    /// One request the fake got.
    public struct Received: Sendable, Hashable {
        public var method: String
        /// Path and query, as sent.
        public var uri: String
        public var authorization: String?
    }

    /// `http://127.0.0.1:<port>`.
    public let baseURL: URL
    /// The token the fake accepts.
    public let accessToken = "graph-token-7f3a"
    private let state: State

    final class State: Sendable {
        let received = Mutex<[Received]>([])
        let throttled = Mutex<Set<Int>>([])
        let throttledPages: Set<Int>
        let pages: Int
        init(pages: Int, throttledPages: Set<Int>) {
            self.pages = pages
            self.throttledPages = throttledPages
        }
    }

    private init(baseURL: URL, state: State) {
        self.baseURL = baseURL
        self.state = state
    }

    /// Every request so far, in order.
    public var requests: [Received] { state.received.withLock { $0 } }

    /// Runs `body` with a fake serving on a free loopback port, then stops it.
    /// - Parameters:
    ///   - pages: how many pages `GET /v1.0/users` has.
    ///   - throttling: pages whose first request answers 429 with `Retry-After: 2`.
    public static func withGraph<Result: Sendable>(
        pages: Int = 3, throttling: Set<Int> = [], _ body: @Sendable (FakeGraph) async throws -> Result
    ) async throws -> Result {
        let state = State(pages: pages, throttledPages: throttling)
        let token = "graph-token-7f3a"
        let router = Router()
        router.middlewares.add(
            RecordingMiddleware { request in
                state.received.withLock {
                    $0.append(
                        Received(
                            method: request.method.rawValue, uri: request.uri.description,
                            authorization: request.headers[.authorization]))
                }
            })
        router.get("v1.0/users") { request, _ in
            guard request.headers[.authorization] == "Bearer \(token)" else { return Response(status: .unauthorized) }
            let page = request.uri.queryParameters.get("page", as: Int.self) ?? 1
            let first = state.throttled.withLock { $0.insert(page).inserted }
            if first, state.throttledPages.contains(page) {
                return Response(status: .tooManyRequests, headers: [.retryAfter: "2"])
            }
            var answer: [String: Any] = [
                "value": [["displayName": "User \(page)", "mail": "user\(page)@contoso.example"]]
            ]
            if page < state.pages, let host = request.head.authority {
                answer["@odata.nextLink"] = "http://\(host)/v1.0/users?page=\(page + 1)"
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: answer))))
        }
        router.get("moved") { request, _ in
            let port = request.head.authority?.split(separator: ":").last ?? ""
            return Response(status: .found, headers: [.location: "http://localhost:\(port)/elsewhere"])
        }
        router.get("elsewhere") { _, _ in Response(status: .ok) }
        router.get("large") { _, _ in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 << 10)))
        }
        return try await LoopbackServer.serve(router, label: "fake-graph") { port in
            guard let url = URL(string: "http://127.0.0.1:\(port)") else { throw URLError(.badURL) }
            return try await body(FakeGraph(baseURL: url, state: state))
        }
    }
}

/// Hands each request to `record` before routing it.
private struct RecordingMiddleware<Context: RequestContext>: RouterMiddleware {
    let record: @Sendable (Request) -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        record(request)
        return try await next(request, context)
    }
}
