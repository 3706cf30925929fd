import Bifrost
import BifrostEngine
import BifrostRuntime
import BifrostTestSupport
import BifrostTesting
import Foundation
import Logging
import Synchronization
import Testing

@testable import ExampleWorkflows

/// `context.http` end to end: the engine's policy over the gateway's AsyncHTTPClient transport, against a fake
/// Graph on a loopback socket.
@Suite struct OutboundHTTPTransportTests {
    /// Waits the policy asked for, instead of sleeping.
    final class Waits: Sendable {
        private let asked = Mutex<[Duration]>([])
        var all: [Duration] { asked.withLock { $0 } }
        func record(_ wait: Duration) { asked.withLock { $0.append(wait) } }
    }

    @Test func listM365UsersCollectsEveryPageThroughAThrottle() async throws {
        try await FakeGraph.withGraph(pages: 2, throttling: [2]) { graph in
            let transport = OutboundHTTPTransport()
            try await transport.withClient {
                let waits = Waits()
                let tester = WorkflowTester(
                    http: transport, outboundPolicy: OutboundPolicy(sleep: { waits.record($0) }))
                tester.oauth["microsoft"] = OAuthToken(
                    accessToken: graph.accessToken, tokenType: "Bearer", expiresAt: nil, scopes: [],
                    apiBaseURLs: [graph.baseURL])
                let run = try await tester.run(ListM365Users.self)
                #expect(run.status == .success, "\(run.error ?? "")")
                let emails = run.result?["users"]?.arrayValue?.compactMap { $0["email"]?.stringValue }
                #expect(emails == ["user1@contoso.example", "user2@contoso.example"])
                #expect(waits.all == [.seconds(2)])
                #expect(graph.requests.map(\.uri).count == 3, "page 1, page 2 throttled, page 2 again")
                #expect(graph.requests.allSatisfy { $0.authorization == "Bearer \(graph.accessToken)" })

                let lines = run.messages(at: "info")
                let base = graph.baseURL.absoluteString
                #expect(lines.count == 4)
                #expect(lines.first?.hasPrefix("GET \(base)/v1.0/users?$select → 200 (") == true)
                #expect(lines.dropFirst().first?.hasPrefix("GET \(base)/v1.0/users?page → 429 (") == true)
                #expect(lines.last == "Listed 2 users")
                #expect(!lines.joined().contains(graph.accessToken))
            }
        }
    }

    @Test func aTokenIsNotSentToAnAddressItsProviderDoesNotDeclare() async throws {
        try await FakeGraph.withGraph { graph in
            let transport = OutboundHTTPTransport()
            try await transport.withClient {
                // The token is for `localhost` on the fake's port; the request names 127.0.0.1, the same server.
                let port = try #require(graph.baseURL.port)
                let tokens = TestOAuthTokens()
                tokens["microsoft"] = OAuthToken(
                    accessToken: graph.accessToken, tokenType: "Bearer", expiresAt: nil, scopes: [],
                    apiBaseURLs: [try #require(URL(string: "http://localhost:\(port)"))])
                let http = RunHTTP(
                    transport: transport, oauth: tokens, policy: OutboundPolicy(),
                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
                let refusal = await #expect(throws: WorkflowError.self) {
                    try await http.get(
                        graph.baseURL.appending(path: "v1.0/users"), as: ODataPage<[String: String]>.self,
                        authorization: .oauth("microsoft"))
                }
                #expect(refusal?.message.contains("not to http://127.0.0.1:\(port)") == true)
                #expect(graph.requests.isEmpty)
            }
        }
    }

    @Test func redirectsAreReturnedNotFollowed() async throws {
        try await FakeGraph.withGraph { graph in
            let transport = OutboundHTTPTransport()
            try await transport.withClient {
                let response = try await transport.send(
                    OutboundRequest(.get, graph.baseURL.appending(path: "moved"), headers: ["Authorization": "t"]),
                    timeout: .seconds(10), maximumResponseSize: 1 << 20)
                #expect(response.status == 302)
                #expect(graph.requests.map(\.uri) == ["/moved"])
            }
        }
    }

    @Test func anAnswerLargerThanTheBoundIsRefused() async throws {
        try await FakeGraph.withGraph { graph in
            let transport = OutboundHTTPTransport()
            try await transport.withClient {
                await #expect(throws: TransportFailure.responseTooLarge) {
                    try await transport.send(
                        OutboundRequest(.get, graph.baseURL.appending(path: "large")), timeout: .seconds(10),
                        maximumResponseSize: 1 << 10)
                }
            }
        }
    }

    @Test func aTransportThatIsNotRunningRefusesToSend() async throws {
        let url = try #require(URL(string: "http://127.0.0.1:9/"))
        await #expect(throws: TransportFailure.unreachable("the gateway's HTTP client is not running")) {
            try await OutboundHTTPTransport().send(
                OutboundRequest(.get, url), timeout: .seconds(1), maximumResponseSize: 1)
        }
    }
}
