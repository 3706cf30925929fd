import BifrostCrypto
package import Foundation
import Synchronization

/// Remembers recently verified credentials for a few seconds, so an authenticated request costs a hash and a
/// dictionary lookup rather than a signature check and two database reads.
///
/// Keys are SHA-256 digests of the presented credential, never the credential itself. An entry lives for
/// `lifetime` at most, and never past the expiry of what it caches (a JWT's `exp`, a key's `expires_at`). Any
/// change to users, organisations, keys or login sessions clears the cache at once, on this replica directly and
/// on the others through `CredentialInvalidation`; each clearing also wakes whoever watches `changes()` (streams
/// that re-check their caller's credential).
public final class CredentialCache: Sendable {
    private struct Entry {
        var principal: Principal
        var validUntil: ContinuousClock.Instant
    }

    package let lifetime: Duration
    package let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])
    private let watchers = Mutex<[Int: AsyncStream<Void>.Continuation]>([:])
    private let nextWatcher = Atomic<Int>(0)

    public init(lifetime: Duration = .seconds(10), capacity: Int = 50_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The digest a credential is cached under.
    package static func digest(of credential: String) -> String { SHA256Digest.hex(credential) }

    /// The cached principal for `digest`, if it is still fresh.
    package func principal(for digest: String, now: ContinuousClock.Instant = .now) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[digest] else { return nil }
            guard entry.validUntil > now else {
                entries[digest] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Caches `principal` under `digest` until `lifetime` from now or `expiry`, whichever is sooner.
    /// The time left until `date`, clamped to a day either way: an `exp` of 1e300 (a token's claims are the
    /// issuer's to choose) must not overflow `Duration` and stop the process.
    package static func remaining(until date: Date) -> Duration {
        .seconds(min(max(date.timeIntervalSinceNow, -86_400), 86_400))
    }

    package func store(
        _ principal: Principal, for digest: String, expiry: Duration? = nil, now: ContinuousClock.Instant = .now
    ) {
        let validity = expiry.map { min($0, lifetime) } ?? lifetime
        guard validity > .zero else { return }
        entries.withLock { entries in
            if entries.count >= capacity { entries = entries.filter { $0.value.validUntil > now } }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[digest] = Entry(principal: principal, validUntil: now + validity)
        }
    }

    /// Forgets everything (after a user, organisation, key or session changed), and wakes the watchers.
    package func removeAll() {
        entries.withLock { $0.removeAll(keepingCapacity: true) }
        for watcher in watchers.withLock({ Array($0.values) }) { watcher.yield() }
    }

    /// A wake-up after each clearing, until the stream is dropped; wake-ups coalesce, so a slow reader gets one.
    package func changes() -> AsyncStream<Void> {
        let token = nextWatcher.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        watchers.withLock { $0[token] = continuation }
        continuation.onTermination = { [weak self] _ in _ = self?.watchers.withLock { $0.removeValue(forKey: token) } }
        return stream
    }
}
