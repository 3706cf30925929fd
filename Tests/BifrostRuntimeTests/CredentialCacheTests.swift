import BifrostStore
import Foundation
import Testing

@testable import BifrostRuntime

@Suite struct CredentialCacheTests {
    private let principal = Principal(
        user: User(
            id: UUID(), organizationID: nil, email: "a@example.com", name: "A", role: .platformAdmin, isActive: true,
            createdAt: Date())
    )

    @Test func entriesExpireAfterTheLifetimeOrTheCredentialsOwnExpiry() {
        let cache = CredentialCache(lifetime: .seconds(10))
        let now = ContinuousClock.now
        cache.store(principal, for: "long", now: now)
        cache.store(principal, for: "short", expiry: .seconds(2), now: now)
        cache.store(principal, for: "expired", expiry: .seconds(-1), now: now)
        #expect(cache.principal(for: "long", now: now + .seconds(9)) == principal)
        #expect(cache.principal(for: "long", now: now + .seconds(10)) == nil)
        #expect(cache.principal(for: "short", now: now + .seconds(1)) == principal)
        #expect(cache.principal(for: "short", now: now + .seconds(2)) == nil)
        #expect(cache.principal(for: "expired", now: now) == nil)
    }

    @Test func removeAllForgetsEverythingAndCapacityIsBounded() {
        let cache = CredentialCache(lifetime: .seconds(10), capacity: 3)
        for index in 0..<10 { cache.store(principal, for: "k\(index)") }
        #expect((0..<10).filter { cache.principal(for: "k\($0)") != nil }.count <= 3)
        cache.removeAll()
        #expect(cache.principal(for: "k9") == nil)
    }

    @Test func digestsNeverContainTheCredential() {
        let digest = CredentialCache.digest(of: "bfk_secret")
        #expect(digest.count == 64)
        #expect(!digest.contains("secret"))
    }
}

@Suite struct CredentialCacheExpiryTests {
    @Test func anyExpiryAnIssuerWritesIsClampedToADay() {
        #expect(CredentialCache.remaining(until: Date(timeIntervalSince1970: 1e300)) == .seconds(86_400))
        #expect(CredentialCache.remaining(until: Date(timeIntervalSince1970: -1e300)) == .seconds(-86_400))
        #expect(CredentialCache.remaining(until: Date().addingTimeInterval(-10)) < .zero)
    }
}
