@testable import BifrostGateway
import Foundation
import HTTPTypes
import Testing

@Suite struct LoginThrottleTests {
    @Test func delaysDoubleAfterTheFreeFailuresAndASuccessClearsTheAccount() {
        let throttle = LoginThrottle(freeFailures: 3, maximumDelay: .seconds(60))
        let start = ContinuousClock.now
        let keys = ["account:a@example.com"]
        for _ in 0..<3 {
            #expect(throttle.delay(for: keys, now: start) == nil)
            throttle.recordFailure(for: keys, now: start)
        }
        #expect(throttle.delay(for: keys, now: start) == .seconds(1))
        #expect(throttle.delay(for: keys, now: start + .seconds(1)) == nil)
        throttle.recordFailure(for: keys, now: start + .seconds(1))
        #expect(throttle.delay(for: keys, now: start + .seconds(1)) == .seconds(2))
        #expect(throttle.delay(for: ["account:b@example.com"], now: start) == nil)
        throttle.recordSuccess(for: keys[0])
        #expect(throttle.delay(for: keys, now: start + .seconds(1)) == nil)
    }

    @Test func delayNeverExceedsTheMaximum() {
        let throttle = LoginThrottle(freeFailures: 1, maximumDelay: .seconds(10))
        let now = ContinuousClock.now
        for _ in 0..<30 { throttle.recordFailure(for: ["address:1.2.3.4"], now: now) }
        #expect(throttle.delay(for: ["address:1.2.3.4"], now: now) == .seconds(10))
    }

    @Test func repeatedFailedLoginsAreAnswered429WithRetryAfter() async throws {
        try await GatewayHarness.withGatewayAndDatabase { client, context in
            try await AuthFixtures.createUser("target@example.com", role: .platformAdmin, on: context.database)
            func attempt(_ password: String) async throws -> (HTTPResponse.Status, Int?, [String: Any]) {
                let body = try JSONSerialization.data(withJSONObject: ["email": "target@example.com", "password": password])
                return try await client.execute(
                    uri: "/auth/login", method: .post, headers: [.contentType: "application/json"], body: .init(bytes: body)
                ) { ($0.status, $0.headers[.retryAfter].flatMap { Int($0) }, AuthFixtures.json($0)) }
            }
            // Five failures are free; each one after that doubles the wait (1, 2, 4 s), and a refused attempt says how
            // long to wait. Wrong guesses until eight failures are recorded, waiting out each refusal, so that the
            // last wait (8 s) is long enough for the next request to land inside it even on a loaded machine.
            var failures = 0
            var refusals: [Int] = []
            for _ in 0..<20 where failures < 8 {
                let (status, retryAfter, _) = try await attempt("guess")
                if status == .tooManyRequests {
                    let wait = try #require(retryAfter)
                    refusals.append(wait)
                    try await Task.sleep(for: .seconds(wait))
                } else {
                    #expect(status == .unauthorized)
                    failures += 1
                }
            }
            #expect(failures == 8)
            #expect(refusals.allSatisfy { (1...4).contains($0) })
            // Inside the wait even the right password is refused, with Retry-After and a problem.
            let (status, retryAfter, problem) = try await attempt(AuthFixtures.password)
            #expect(status == .tooManyRequests)
            #expect(retryAfter.map { (1...8).contains($0) } == true)
            #expect(problem["type"] as? String == "urn:bifrost:problem:rate-limited")
        }
    }
}
