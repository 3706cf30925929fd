import Bifrost
import BifrostEngine
import BifrostTesting
import Foundation
import Logging
import Synchronization
import Testing

/// The policy of `context.http` (`RunHTTP`) over a stub transport: tokens, retries, waits, logs and errors.
@Suite struct RunHTTPTests {
    static let graph = URL(string: "https://graph.example")!
    static let users = URL(string: "https://graph.example/v1.0/users")!

    /// Waits the policy asked for, instead of sleeping.
    final class Waits: Sendable {
        private let asked = Mutex<[Duration]>([])
        var all: [Duration] { asked.withLock { $0 } }
        func record(_ wait: Duration) { asked.withLock { $0.append(wait) } }
    }

    /// A run's `context.http` over `stub`, with a `microsoft` token for `graph.example`, its waits recorded in
    /// `waits` and its log in `log`.
    static func http(
        _ stub: HTTPStub, waits: Waits = Waits(), log: ExecutionLogCollector = ExecutionLogCollector(),
        now: Date = Date()
    ) -> RunHTTP {
        let tokens = TestOAuthTokens()
        tokens["microsoft"] = OAuthToken(
            accessToken: "tok-123", tokenType: "Bearer", expiresAt: nil, scopes: [], apiBaseURLs: [graph])
        return RunHTTP(
            transport: stub, oauth: tokens,
            policy: OutboundPolicy(sleep: { waits.record($0) }, now: { now }),
            logger: log.logger(forwardingTo: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }) { [:] }
        )
    }

    /// Answers with the statuses in order (headers alongside), repeating the last one.
    static func answering(_ answers: [(Int, OutboundHeaders)], body: String = "{}") -> HTTPStub {
        let served = Mutex(0)
        return HTTPStub { request in
            let index = served.withLock { count in
                defer { count += 1 }
                return min(count, answers.count - 1)
            }
            return OutboundResponse(
                status: answers[index].0, headers: answers[index].1, body: Data(body.utf8), url: request.url)
        }
    }

    @Test func aThrottledRequestWaitsWhatRetryAfterAsksThenSucceeds() async throws {
        let stub = Self.answering([(429, ["Retry-After": "2"]), (200, [:])])
        let waits = Waits()
        let response = try await Self.http(stub, waits: waits).send(OutboundRequest(.get, Self.users))
        #expect(response.status == 200)
        #expect(response.attempts == 2)
        #expect(waits.all == [.seconds(2)])
        #expect(stub.requests.count == 2)
    }

    @Test func aRetryAfterDateIsCountedFromNow() async throws {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        let stub = Self.answering([(503, ["Retry-After": "Sun, 06 Nov 1994 08:49:42 GMT"]), (200, [:])])
        let waits = Waits()
        _ = try await Self.http(stub, waits: waits, now: now).send(OutboundRequest(.get, Self.users))
        #expect(waits.all == [.seconds(5)])
    }

    @Test func anUnavailableServiceIsRetriedWithDoublingWaits() async throws {
        let stub = Self.answering([(503, [:]), (503, [:]), (200, [:])])
        let waits = Waits()
        let response = try await Self.http(stub, waits: waits).send(OutboundRequest(.get, Self.users))
        #expect(response.status == 200)
        #expect(waits.all == [.seconds(1), .seconds(2)])
    }

    @Test func aServiceUnavailableForeverFailsAfterTheBound() async throws {
        let stub = Self.answering([(503, [:])])
        let waits = Waits()
        let failure = await #expect(throws: OutboundHTTPError.self) {
            try await Self.http(stub, waits: waits).get(Self.users, as: [String: String].self)
        }
        #expect(failure?.status == 503)
        #expect(failure?.description == "GET https://graph.example/v1.0/users answered 503 (after 4 attempts)")
        #expect(stub.requests.count == 4)
        #expect(waits.all == [.seconds(1), .seconds(2), .seconds(4)])
    }

    @Test func aWaitAboveTheCapIsNotSleptAndTheAnswerComesBack() async throws {
        let stub = Self.answering([(429, ["Retry-After": "3600"]), (200, [:])])
        let waits = Waits()
        let response = try await Self.http(stub, waits: waits).send(OutboundRequest(.get, Self.users))
        #expect(response.status == 429)
        #expect(waits.all.isEmpty)
        #expect(stub.requests.count == 1)
    }

    /// Fails on the network `failures` times, then answers 200.
    static func failing(_ failures: Int) -> HTTPStub {
        let served = Mutex(0)
        return HTTPStub { request in
            let count = served.withLock { count in
                defer { count += 1 }
                return count
            }
            guard count >= failures else { throw TransportFailure.unreachable("connection reset") }
            return OutboundResponse(status: 200, url: request.url)
        }
    }

    @Test func aPostThatFailsOnTheNetworkIsNotRetried() async throws {
        let stub = Self.failing(1)
        let failure = await #expect(throws: OutboundHTTPError.self) {
            try await Self.http(stub).send(OutboundRequest(.post, Self.users, body: Data("{}".utf8)))
        }
        #expect(failure?.reason == .unreachable("connection reset"))
        #expect(stub.requests.count == 1)
    }

    @Test func aGetThatFailsOnTheNetworkIsRetried() async throws {
        let stub = Self.failing(1)
        let waits = Waits()
        let response = try await Self.http(stub, waits: waits).send(OutboundRequest(.get, Self.users))
        #expect(response.status == 200)
        #expect(stub.requests.count == 2)
        #expect(waits.all == [.seconds(1)])
    }

    @Test func aTimeoutIsReportedWithItsLimitAndNotRetried() async throws {
        let stub = HTTPStub { _ in throw TransportFailure.timedOut }
        let failure = await #expect(throws: OutboundHTTPError.self) {
            try await Self.http(stub).send(OutboundRequest(.get, Self.users, timeout: .seconds(5)))
        }
        #expect(failure?.reason == .timedOut(.seconds(5)))
        #expect(stub.requests.count == 1)
    }

    @Test func theTokenGoesOnlyToItsProvidersAddresses() async throws {
        let stub = Self.answering([(200, [:])])
        let http = Self.http(stub)
        _ = try await http.send(OutboundRequest(.get, Self.users, authorization: .oauth("microsoft")))
        #expect(stub.requests.first?.headers["authorization"] == "Bearer tok-123")

        let elsewhere = URL(string: "https://evil.example/v1.0/users")!
        let refusal = await #expect(throws: WorkflowError.self) {
            try await http.send(OutboundRequest(.get, elsewhere, authorization: .oauth("microsoft")))
        }
        #expect(refusal?.message.contains("not to https://evil.example") == true)
        #expect(stub.requests.count == 1, "nothing was sent to evil.example")
    }

    @Test func anUnknownConnectionIsAClearErrorAndNothingIsSent() async throws {
        let stub = Self.answering([(200, [:])])
        let refusal = await #expect(throws: WorkflowError.self) {
            try await Self.http(stub).send(OutboundRequest(.get, Self.users, authorization: .oauth("google")))
        }
        #expect(refusal?.message == "There is no \"google\" OAuth connection for this run's organisation")
        #expect(stub.requests.isEmpty)
    }

    @Test func theLogNamesMethodAndPathButNoCredential() async throws {
        let stub = Self.answering([(200, [:])])
        let log = ExecutionLogCollector()
        let http = Self.http(stub, log: log)
        let query = URL(string: "https://graph.example/v1.0/users?$filter=s3cret&$top=5")!
        _ = try await http.send(
            OutboundRequest(.get, query, headers: ["X-Api-Key": "k-999"], authorization: .oauth("microsoft")))
        let userinfo = URL(string: "https://ada:pa55word@api.example/v1/items#frag")!
        _ = try await http.send(OutboundRequest(.delete, userinfo))
        let lines = log.lines.map(\.message)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("GET https://graph.example/v1.0/users?$filter&$top → 200 (") == true)
        #expect(lines.last?.hasPrefix("DELETE https://api.example/v1/items → 200 (") == true)
        #expect(lines.allSatisfy { $0.hasSuffix(" ms)") })
        for secret in ["tok-123", "pa55word", "ada", "s3cret", "k-999", "frag"] {
            #expect(!lines.joined().contains(secret), "the log shows \(secret)")
        }
    }

    struct User: Decodable, Sendable {
        var id: String
        var age: Int
    }

    @Test func anUndecodableAnswerSaysWhatDidNotMatch() async throws {
        let stub = Self.answering([(200, [:])], body: #"{"id":"u-1","age":"old"}"#)
        let failure = await #expect(throws: OutboundHTTPError.self) {
            try await Self.http(stub).get(Self.users, as: User.self)
        }
        #expect(
            failure?.description == "GET https://graph.example/v1.0/users: the answer is not a User: age is not Int")
    }

    /// Serves a three-page OData list, each page naming the next.
    static var threePages: HTTPStub {
        HTTPStub { request in
            let page = Int(request.url.query?.split(separator: "=").last ?? "") ?? 1
            let next = page < 3 ? #","@odata.nextLink":"https://graph.example/v1.0/users?page=\#(page + 1)""# : ""
            let body = #"{"value":[{"id":"u\#(page)","age":\#(page)}]\#(next)}"#
            return OutboundResponse(status: 200, body: Data(body.utf8), url: request.url)
        }
    }

    @Test func pagesAreFollowedByTheirNextLinks() async throws {
        let stub = Self.threePages
        let users = try await Self.http(stub).collectPages(
            Self.users, of: User.self, authorization: .oauth("microsoft"))
        #expect(users.map(\.id) == ["u1", "u2", "u3"])
        #expect(stub.requests.map(\.url.query) == [nil, "page=2", "page=3"])
        #expect(stub.requests.allSatisfy { $0.headers["Authorization"] == "Bearer tok-123" })
    }

    @Test func aListLongerThanTheBoundFails() async throws {
        let stub = Self.threePages
        let failure = await #expect(throws: OutboundHTTPError.self) {
            try await Self.http(stub).collectPages(Self.users, of: User.self, maximumPages: 2)
        }
        #expect(failure?.reason == .tooManyPages(limit: 2))
        #expect(stub.requests.count == 2)
    }

    @Test func aNextLinkToAnotherHostGetsNoToken() async throws {
        let stub = HTTPStub { request in
            let body = #"{"value":[],"@odata.nextLink":"https://evil.example/steal"}"#
            return OutboundResponse(status: 200, body: Data(body.utf8), url: request.url)
        }
        await #expect(throws: WorkflowError.self) {
            try await Self.http(stub).collectPages(Self.users, of: User.self, authorization: .oauth("microsoft"))
        }
        #expect(stub.requests.map(\.url.host) == ["graph.example"])
    }
}
