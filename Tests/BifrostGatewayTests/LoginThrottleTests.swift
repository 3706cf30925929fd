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
            for _ in 0..<5 {
                let attempt = try await AuthFixtures.login("target@example.com", password: "guess", client: client)
                #expect(attempt.status == .unauthorized)
            }
            let body = try JSONSerialization.data(withJSONObject: ["email": "target@example.com", "password": AuthFixtures.password])
            try await client.execute(
                uri: "/auth/login", method: .post, headers: [.contentType: "application/json"], body: .init(bytes: body)
            ) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "1")
                #expect(AuthFixtures.json(response)["type"] as? String == "urn:bifrost:problem:rate-limited")
            }
        }
    }
}
