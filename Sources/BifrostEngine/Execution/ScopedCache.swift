import BifrostStore
public import BifrostTelemetry
import Foundation
import Synchronization

/// What runs read recently (configuration values, sealed secrets), per organisation and name, for `lifetime`;
/// forgotten at once when any replica changes a name (through `invalidate(_:)`, from its notification channel), so
/// a change shows in the next run.
public final class ScopedCache<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
    }

    private struct Key: Hashable {
        var organization: UUID?
        var name: String
    }

    private let lifetime: Duration
    private let entries = Mutex<[Key: Entry]>([:])
    private let lookups: CacheLookups?

    /// - Parameter lookups: where `value(_:for:load:)` counts its hits and misses; nil: nowhere.
    public init(lifetime: Duration = .seconds(30), lookups: CacheLookups? = nil) {
        self.lifetime = lifetime
        self.lookups = lookups
    }

    /// The value of `name` for `scope`, from the cache or `load`.
    func value(_ name: String, for scope: Scope, load: () async throws -> Value) async throws -> Value {
        let key = Key(organization: scope.organizationID, name: name)
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), entry.expires > now {
            lookups?.record(hit: true)
            return entry.value
        }
        lookups?.record(hit: false)
        let value = try await load()
        entries.withLock { $0[key] = Entry(value: value, expires: now + lifetime) }
        return value
    }

    /// What is cached for `name` in `scope` and not expired, without loading it; nil when nothing is.
    func peek(_ name: String, for scope: Scope) -> Value? {
        let key = Key(organization: scope.organizationID, name: name)
        guard let entry = entries.withLock({ $0[key] }), entry.expires > ContinuousClock.now else { return nil }
        return entry.value
    }

    /// Forgets `name` in every scope (any change may alter the global fallback of every organisation).
    public func invalidate(_ name: String) {
        entries.withLock { entries in entries = entries.filter { $0.key.name != name } }
    }

    /// Forgets everything (after notifications may have been missed).
    public func invalidateAll() { entries.withLock { $0.removeAll() } }
}
