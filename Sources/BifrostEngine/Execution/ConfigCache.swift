public import Bifrost
import BifrostStore
import Foundation
import Synchronization

/// Configuration values runs have read, per organisation and key, for `lifetime`; forgotten at once when any
/// replica changes a key (`PostgresConfig.channel`, through `invalidate(_:)`), so a change shows in the next run.
public final class ConfigCache: Sendable {
    private struct Entry {
        var found: (value: JSONValue, type: PostgresConfig.ValueType)?
        var expires: ContinuousClock.Instant
    }

    private struct Key: Hashable {
        var organization: UUID?
        var key: String
    }

    private let lifetime: Duration
    private let entries = Mutex<[Key: Entry]>([:])

    public init(lifetime: Duration = .seconds(30)) {
        self.lifetime = lifetime
    }

    /// The value of `key` for `scope`, from the cache or `load`.
    func value(
        _ key: String, for scope: Scope,
        load: () async throws -> (value: JSONValue, type: PostgresConfig.ValueType)?
    ) async throws -> (value: JSONValue, type: PostgresConfig.ValueType)? {
        let cacheKey = Key(organization: scope.organizationID, key: key)
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[cacheKey] }), entry.expires > now { return entry.found }
        let found = try await load()
        entries.withLock { $0[cacheKey] = Entry(found: found, expires: now + lifetime) }
        return found
    }

    /// Forgets `key` in every scope (any change may alter the global fallback of every organisation).
    public func invalidate(_ key: String) {
        entries.withLock { entries in entries = entries.filter { $0.key.key != key } }
    }

    /// Forgets everything (after notifications may have been missed).
    public func invalidateAll() { entries.withLock { $0.removeAll() } }
}
