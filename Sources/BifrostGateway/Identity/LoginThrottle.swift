import Foundation
import Synchronization

/// Slows down password guessing: after `freeFailures` failed logins for one account or from one address,
/// each further attempt must wait, twice as long after every failure (1 s, 2 s, 4 s … up to 15 minutes).
///
/// Kept per replica, in memory: several replicas each allow the free failures (see the README). A success
/// clears the account's record; idle records are dropped once their delay has passed.
final class LoginThrottle: Sendable {
    private struct Record {
        var failures: Int
        var lastFailure: ContinuousClock.Instant
    }

    let freeFailures: Int
    let maximumDelay: Duration
    private let records = Mutex<[String: Record]>([:])

    init(freeFailures: Int = 5, maximumDelay: Duration = .seconds(900)) {
        self.freeFailures = freeFailures
        self.maximumDelay = maximumDelay
    }

    /// How long the caller must still wait before another attempt for these keys; nil when it may try now.
    func delay(for keys: [String], now: ContinuousClock.Instant = .now) -> Duration? {
        records.withLock { records in
            keys.compactMap { key -> Duration? in
                guard let record = records[key], record.failures >= freeFailures else { return nil }
                let remaining = record.lastFailure + penalty(after: record.failures) - now
                if remaining <= .zero {
                    return nil
                }
                return remaining
            }.max()
        }
    }

    /// Records a failed attempt against every key.
    func recordFailure(for keys: [String], now: ContinuousClock.Instant = .now) {
        records.withLock { records in
            for key in keys {
                var record = records[key] ?? Record(failures: 0, lastFailure: now)
                // A record idle for longer than the longest delay starts over.
                if now - record.lastFailure > maximumDelay { record.failures = 0 }
                record.failures += 1
                record.lastFailure = now
                records[key] = record
            }
            if records.count > 100_000 { records = records.filter { now - $0.value.lastFailure <= maximumDelay } }
        }
    }

    /// Clears the record of a key (the account, after a successful login).
    func recordSuccess(for key: String) {
        _ = records.withLock { $0.removeValue(forKey: key) }
    }

    private func penalty(after failures: Int) -> Duration {
        let exponent = min(failures - freeFailures, 20)
        return min(.seconds(1 << exponent), maximumDelay)
    }
}
