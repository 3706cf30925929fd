import Foundation
import Synchronization

/// Slows down password guessing: after `freeFailures` failed logins for one account or from one address, each
/// further attempt must wait, twice as long after every failure (1 s, 2 s, 4 s … up to 15 minutes).
///
/// An attempt is counted against its account when it begins, before its password is hashed: attempts still being
/// checked count as failures until they end, so 200 wrong passwords sent at once for one account get no more than
/// the free attempts through, and past them only one attempt at a time. An address counts only failures, so that
/// people behind one NAT or proxy may sign in at the same moment. Kept per replica, in memory: several replicas
/// each allow the free failures (see `docs/security.md`). A success clears the account's record; idle records are dropped
/// once their delay has passed.
public final class LoginThrottle: Sendable {
    private struct Record {
        var failures = 0
        /// Attempts begun and not yet finished.
        var inFlight = 0
        var lastFailure: ContinuousClock.Instant
    }

    /// How an attempt ended, for `finish`.
    public enum Outcome: Sendable {
        /// The credentials were right.
        case succeeded
        /// The credentials were wrong (or the account may not sign in).
        case failed
        /// The check did not happen (the database failed): counted neither way.
        case abandoned
    }

    package let freeFailures: Int
    package let maximumDelay: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let records = Mutex<[String: Record]>([:])

    /// - Parameter now: the clock; tests pass one they move themselves.
    public init(
        freeFailures: Int = 5, maximumDelay: Duration = .seconds(900),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.freeFailures = freeFailures
        self.maximumDelay = maximumDelay
        self.now = now
    }

    /// Begins an attempt for `account` from `address`: nil when it may go ahead, and then `finish` must follow;
    /// otherwise how long the caller must wait first.
    package func begin(account: String, address: String?) -> Duration? {
        let now = now()
        let keys = [account] + (address.map { [$0] } ?? [])
        return records.withLock { records in
            var wait = Duration.zero
            for key in keys {
                guard var record = records[key] else { continue }
                // A record idle for longer than the longest delay starts over.
                if record.inFlight == 0, now - record.lastFailure > maximumDelay { record.failures = 0 }
                records[key] = record
                guard record.failures + record.inFlight >= freeFailures else { continue }
                var remaining =
                    record.failures >= freeFailures
                    ? record.lastFailure + penalty(after: record.failures) - now : .zero
                // Attempts under way past the free ones: their outcome decides the wait; ask again shortly.
                if record.inFlight > 0 { remaining = max(remaining, .seconds(1)) }
                wait = max(wait, remaining)
            }
            guard wait <= .zero else { return wait }
            records[account, default: Record(lastFailure: now)].inFlight += 1
            if records.count > 100_000 {
                records = records.filter { $0.value.inFlight > 0 || now - $0.value.lastFailure <= maximumDelay }
            }
            return nil
        }
    }

    /// Ends an attempt `begin` let through; a failure counts against the account and the address, a success clears
    /// the record of the account.
    package func finish(account: String, address: String?, _ outcome: Outcome) {
        let now = now()
        records.withLock { records in
            if let inFlight = records[account]?.inFlight { records[account]?.inFlight = max(0, inFlight - 1) }
            if case .failed = outcome {
                for key in [account] + (address.map { [$0] } ?? []) {
                    records[key, default: Record(lastFailure: now)].failures += 1
                    records[key]?.lastFailure = now
                }
            }
            if case .succeeded = outcome { records[account]?.failures = 0 }
            if let record = records[account], record.failures == 0, record.inFlight == 0 {
                records.removeValue(forKey: account)
            }
        }
    }

    private func penalty(after failures: Int) -> Duration {
        let exponent = min(max(failures - freeFailures, 0), 20)
        return min(.seconds(1 << exponent), maximumDelay)
    }
}
