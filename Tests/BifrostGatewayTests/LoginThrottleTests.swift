import BifrostTestSupport
import Foundation
import HTTPTypes
import Synchronization
import Testing

@testable import BifrostGateway
@testable import BifrostRuntime

@Suite struct LoginThrottleTests {
    @Test func delaysDoubleAfterTheFreeFailuresAndASuccessClearsTheAccount() {
        let clock = ManualClock()
        let throttle = LoginThrottle(freeFailures: 3, maximumDelay: .seconds(60)) { clock.now }
        let account = "account:a@example.com"
        for _ in 0..<3 {
            #expect(throttle.begin(account: account, address: nil) == nil)
            throttle.finish(account: account, address: nil, .failed)
        }
        #expect(throttle.begin(account: account, address: nil) == .seconds(1))
        clock.advance(by: .seconds(1))
        #expect(throttle.begin(account: account, address: nil) == nil)
        throttle.finish(account: account, address: nil, .failed)
        #expect(throttle.begin(account: account, address: nil) == .seconds(2))
        #expect(throttle.begin(account: "account:b@example.com", address: nil) == nil)
        clock.advance(by: .seconds(2))
        #expect(throttle.begin(account: account, address: nil) == nil)
        throttle.finish(account: account, address: nil, .succeeded)
        #expect(throttle.begin(account: account, address: nil) == nil)
    }

    @Test func attemptsUnderWayCountBeforeTheirPasswordIsChecked() {
        let clock = ManualClock()
        let throttle = LoginThrottle(freeFailures: 5) { clock.now }
        let (account, address) = ("account:target@example.com", "address:192.0.2.7")
        let admitted = (0..<200).filter { _ in throttle.begin(account: account, address: address) == nil }.count
        #expect(admitted == 5)
        for _ in 0..<admitted { throttle.finish(account: account, address: address, .failed) }
        #expect(throttle.begin(account: account, address: address) == .seconds(1))
        // The address's failures count for its other accounts too.
        #expect(throttle.begin(account: "account:other@example.com", address: address) == .seconds(1))
    }

    @Test func peopleBehindOneAddressMaySignInAtTheSameMoment() {
        let clock = ManualClock()
        let throttle = LoginThrottle(freeFailures: 5) { clock.now }
        let admitted = (0..<50).filter { index in
            throttle.begin(account: "account:user\(index)@example.com", address: "address:203.0.113.1") == nil
        }.count
        #expect(admitted == 50)
    }

    @Test func anAbandonedAttemptCountsNeitherWay() {
        let clock = ManualClock()
        let throttle = LoginThrottle(freeFailures: 1) { clock.now }
        let account = "account:x@example.com"
        for _ in 0..<3 {
            #expect(throttle.begin(account: account, address: nil) == nil)
            throttle.finish(account: account, address: nil, .abandoned)
        }
        #expect(throttle.begin(account: account, address: nil) == nil)
    }

    @Test func delayNeverExceedsTheMaximum() {
        let clock = ManualClock()
        let throttle = LoginThrottle(freeFailures: 1, maximumDelay: .seconds(10)) { clock.now }
        for index in 0..<30 {
            _ = throttle.begin(account: "account:\(index)", address: "address:1.2.3.4")
            throttle.finish(account: "account:\(index)", address: "address:1.2.3.4", .failed)
        }
        #expect(throttle.begin(account: "account:new", address: "address:1.2.3.4") == .seconds(10))
    }

    @Test func repeatedFailedLoginsAreAnswered429WithRetryAfter() async throws {
        let clock = ManualClock()
        let throttle = LoginThrottle { clock.now }
        try await GatewayHarness.withGatewayAndDatabase(loginThrottle: throttle) { client, context in
            try await AuthFixtures.createUser("target@example.com", role: .platformAdmin, on: context.database)
            func attempt(_ password: String) async throws -> (HTTPResponse.Status, Int?, [String: Any]) {
                let body = try JSONSerialization.data(withJSONObject: [
                    "email": "target@example.com", "password": password,
                ])
                return try await client.execute(
                    uri: "/auth/login", method: .post, headers: [.contentType: "application/json"],
                    body: .init(bytes: body)
                ) { ($0.status, $0.headers[.retryAfter].flatMap { Int($0) }, AuthFixtures.json($0)) }
            }
            // Five failures are free; each one after that doubles the wait (1, 2, 4 s), and a refused attempt says
            // how long to wait. The clock moves only when the test moves it.
            for _ in 0..<5 { #expect(try await attempt("guess").0 == .unauthorized) }
            var waits: [Int] = []
            for _ in 0..<3 {
                let (status, retryAfter, _) = try await attempt("guess")
                #expect(status == .tooManyRequests)
                let wait = try #require(retryAfter)
                waits.append(wait)
                clock.advance(by: .seconds(wait))
                #expect(try await attempt("guess").0 == .unauthorized)
            }
            #expect(waits == [1, 2, 4])
            // Inside the wait even the right password is refused, with Retry-After and a problem.
            let (status, retryAfter, problem) = try await attempt(AuthFixtures.password)
            #expect(status == .tooManyRequests)
            #expect(retryAfter == 8)
            #expect(problem["type"] as? String == "urn:bifrost:problem:rate-limited")
            clock.advance(by: .seconds(8))
            #expect(try await attempt(AuthFixtures.password).0 == .ok)
        }
    }
}
