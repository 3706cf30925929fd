import BifrostRuntime
import Foundation
import Synchronization

/// Token buckets by key: each holds up to `burst` tokens and refills at `perSecond`.
final class TokenBucketLimiter: Sendable {
    /// One bucket's parameters.
    struct Limit: Sendable, Equatable {
        var perSecond: Double
        var burst: Double
    }

    /// What taking a token found.
    struct Outcome: Sendable, Equatable {
        var allowed: Bool
        var limit: Int
        var remaining: Int
        /// Time until a token is available (when refused) or until the bucket is full again (when allowed).
        var resetAfter: Duration
    }

    /// Whose bucket a token is taken from. Ids rather than text: hashing a UUID costs a fraction of formatting
    /// and hashing its 36 characters, and an API call takes from two buckets.
    enum Key: Hashable, Sendable, ExpressibleByStringLiteral {
        case apiKey(UUID)
        case user(UUID)
        case organization(UUID)
        case address(String)
        /// Any other bucket, named.
        case named(String)

        init(stringLiteral name: String) { self = .named(name) }
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[Key: Bucket]>([:])

    /// Takes one token from the bucket `key` (created full).
    func take(_ key: Key, limit: Limit, now: ContinuousClock.Instant = .now) -> Outcome {
        buckets.withLock { buckets in
            let outcome = Self.take(from: &buckets[key, default: Bucket(tokens: limit.burst, updated: now)], limit, now)
            if buckets.count > 200_000 { buckets = buckets.filter { $0.value.tokens < limit.burst } }
            return outcome
        }
    }

    private static func take(from bucket: inout Bucket, _ limit: Limit, _ now: ContinuousClock.Instant) -> Outcome {
        bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.updated).inSeconds * limit.perSecond)
        bucket.updated = now
        let allowed = bucket.tokens >= 1
        if allowed { bucket.tokens -= 1 }
        let missing = allowed ? limit.burst - bucket.tokens : 1 - bucket.tokens
        return Outcome(
            allowed: allowed, limit: Int(limit.burst), remaining: Int(bucket.tokens.rounded(.down)),
            resetAfter: .milliseconds(Int64((missing / limit.perSecond * 1000).rounded(.up)))
        )
    }
}
