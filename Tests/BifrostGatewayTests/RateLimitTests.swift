import BifrostStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import BifrostGateway

@Suite struct RateLimitTests {
    @Test func bucketRefillsAtItsRateUpToItsBurst() {
        let limiter = TokenBucketLimiter()
        let limit = TokenBucketLimiter.Limit(perSecond: 2, burst: 3)
        let start = ContinuousClock.now
        #expect((0..<3).allSatisfy { _ in limiter.take("k", limit: limit, now: start).allowed })
        let refused = limiter.take("k", limit: limit, now: start)
        #expect(!refused.allowed)
        #expect(refused.resetAfter == .milliseconds(500))
        #expect(limiter.take("k", limit: limit, now: start + .milliseconds(500)).allowed)
        #expect(!limiter.take("k", limit: limit, now: start + .milliseconds(500)).allowed)
        #expect(limiter.take("other", limit: limit, now: start).allowed)
    }

    @Test func shippedLimitsParseAndBadOnesNameTheFile() throws {
        let shipped = try RateLimits.load(directory: nil)
        #expect(shipped.apiKey.burst >= 1)
        let error = #expect(throws: AccessPolicy.Invalid.self) {
            try RateLimits(
                file: "x.yaml",
                text:
                    "api_key:\n  per_second: 0\n  burst: 5\nuser: {per_second: 1, burst: 1}\norganization: {per_second: 1, burst: 1}\n"
            )
        }
        #expect(error?.file == "x.yaml")
        #expect(error?.line == 2)
    }

    @Test func aKeyOverItsLimitGets429WithRateLimitHeaders() async throws {
        let limits = try RateLimits(
            file: "t.yaml",
            text:
                "api_key: {per_second: 0.01, burst: 2}\nuser: {per_second: 100, burst: 100}\norganization: {per_second: 100, burst: 100}\n"
        )
        try await GatewayHarness.withGatewayAndDatabase(rateLimits: limits) { client, context in
            let org = try await AuthFixtures.createOrganization("Contoso", on: context.database)
            let admin = try await AuthFixtures.createUser(
                "a@contoso.example", role: .orgAdmin, organization: org, on: context.database)
            let adminClient = try await context.caller(admin)
            let created = try await adminClient(.post, "/api/api-keys", ["name": "busy", "role": "org_member"])
            let key = try #require((created.json as? [String: Any])?["key"] as? String)
            let headers: HTTPFields = [HTTPField.Name("X-Bifrost-Key")!: key]
            for remaining in ["1", "0"] {
                try await client.execute(uri: "/auth/me", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[HTTPField.Name("RateLimit-Limit")!] == "2")
                    #expect(response.headers[HTTPField.Name("RateLimit-Remaining")!] == remaining)
                }
            }
            try await client.execute(uri: "/auth/me", method: .get, headers: headers) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] != nil)
                #expect(response.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")
            }
            // Another caller of the same organisation has a bucket of its own.
            let other = try await adminClient(.get, "/auth/me")
            #expect(other.status == .ok)
        }
    }

    @Test func refusedCallsSpendNoTokens() async throws {
        let limits = try RateLimits(
            file: "t.yaml",
            text:
                "api_key: {per_second: 0.001, burst: 2}\nuser: {per_second: 100, burst: 100}\norganization: {per_second: 100, burst: 100}\n"
        )
        try await GatewayHarness.withGatewayAndDatabase(rateLimits: limits) { client, context in
            let org = try await AuthFixtures.createOrganization("Contoso", on: context.database)
            let admin = try await AuthFixtures.createUser(
                "a@contoso.example", role: .orgAdmin, organization: org, on: context.database)
            let created = try await context.caller(admin)(
                .post, "/api/api-keys", ["name": "member", "role": "org_member"])
            let key = try #require((created.json as? [String: Any])?["key"] as? String)
            let headers: HTTPFields = [HTTPField.Name("X-Bifrost-Key")!: key]
            // Members may not read the audit: refused by the policy, ten times, without touching the bucket.
            for _ in 0..<10 {
                try await client.execute(uri: "/api/audit", method: .get, headers: headers) {
                    #expect($0.status == .forbidden)
                }
            }
            for remaining in ["1", "0"] {
                try await client.execute(uri: "/auth/me", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[HTTPField.Name("RateLimit-Remaining")!] == remaining)
                }
            }
        }
    }
}
