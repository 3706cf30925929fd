public import BifrostStore
public import BifrostTelemetry
package import Foundation
import Synchronization

/// Each organisation's workflow narrowings, read once and kept, so that deciding who may run a workflow costs no
/// query on the execute path. Forgotten for an organisation when any replica changes its narrowings
/// (`NOTIFY bifrost_workflow_access`), entirely whenever listening resumes, and after `lifetime` in any case.
public final class WorkflowAccessCache: Sendable {
    private struct Entry {
        var narrowings: WorkflowNarrowings
        var expires: ContinuousClock.Instant
    }

    package let store: any WorkflowAccessRepository
    private let lifetime: Duration
    /// The entries, and how often they have been forgotten: a read that began before a forgetting must not store
    /// what it read (it may predate the change that caused the forgetting).
    private let state = Mutex<(entries: [UUID: Entry], generation: Int)>(([:], 0))
    private let lookups: CacheLookups

    /// - Parameters:
    ///   - lifetime: how long an organisation's narrowings are kept when no notification comes; only a
    ///   bound for notifications lost without the listener noticing.
    ///   - lookups: counts `narrowings(for:)`'s hits and misses (organisations only: global scope has none).
    public init(
        store: any WorkflowAccessRepository, lifetime: Duration = .seconds(300),
        lookups: CacheLookups = CacheLookups(.workflowAccess)
    ) {
        self.store = store
        self.lifetime = lifetime
        self.lookups = lookups
    }

    /// The narrowings that apply in `scope`: its organisation's, or none in global scope.
    package func narrowings(for scope: Scope) async throws -> WorkflowNarrowings {
        guard let organization = scope.organizationID else { return .none }
        let now = ContinuousClock.now
        let (cached, generation) = state.withLock { ($0.entries[organization], $0.generation) }
        if let cached, cached.expires > now {
            lookups.record(hit: true)
            return cached.narrowings
        }
        lookups.record(hit: false)
        let narrowings = WorkflowNarrowings(roles: try await store.narrowings(in: organization))
        state.withLock { state in
            if state.generation == generation {
                state.entries[organization] = Entry(narrowings: narrowings, expires: now + lifetime)
            }
        }
        return narrowings
    }

    /// Forgets `organization`'s narrowings (this replica's own change is seen at once, before its notification).
    package func forget(_ organization: UUID) {
        state.withLock { state in
            state.entries[organization] = nil
            state.generation += 1
        }
    }

    /// Forgets every organisation's narrowings.
    package func forgetAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.generation += 1
        }
    }

    /// Forgets an organisation's narrowings whenever any replica changes them (all of them for a payload that
    /// names no organisation), and all when listening resumes.
    public var subscription: NotificationSubscription {
        NotificationSubscription(
            channel: PostgresWorkflowAccessRepository.channel,
            received: { [self] payload in
                if let organization = UUID(uuidString: payload) { forget(organization) } else { forgetAll() }
            },
            resumed: { [self] in forgetAll() }
        )
    }
}
