import BifrostRuntime
import BifrostStore
import BifrostTelemetry
import Foundation
import Synchronization

/// The active signing secrets of each endpoint, opened, kept for `lifetime` so that verifying a webhook costs an
/// HMAC per secret and no query; forgotten at once when any replica creates or retires one, or changes an
/// organisation's standing (`NOTIFY bifrost_endpoint_secrets`).
final class EndpointSecretCache: Sendable {
    private struct Entry {
        var secrets: [PostgresEndpointSecretRepository.Active]
        var expires: ContinuousClock.Instant
    }

    let store: PostgresEndpointSecretRepository
    private let lifetime: Duration
    /// The entries, and how often they have been forgotten: a read that began before a forgetting must not store
    /// what it read (it may hold a secret of an organisation deactivated meanwhile).
    private let state = Mutex<(entries: [String: Entry], generation: Int)>(([:], 0))

    /// Counts `secrets(for:)`'s hits and misses.
    private let lookups: CacheLookups

    init(
        store: PostgresEndpointSecretRepository, lifetime: Duration = .seconds(30),
        lookups: CacheLookups = CacheLookups(.endpointSecrets)
    ) {
        self.store = store
        self.lifetime = lifetime
        self.lookups = lookups
    }

    /// `workflow`'s active secrets in every active organisation.
    func secrets(for workflow: String) async throws -> [PostgresEndpointSecretRepository.Active] {
        let now = ContinuousClock.now
        let (cached, generation) = state.withLock { ($0.entries[workflow], $0.generation) }
        if let cached, cached.expires > now {
            lookups.record(hit: true)
            return cached.secrets
        }
        lookups.record(hit: false)
        let secrets = try await store.active(for: workflow)
        state.withLock { state in
            if state.generation == generation {
                state.entries[workflow] = Entry(secrets: secrets, expires: now + lifetime)
            }
        }
        return secrets
    }

    /// Forgets `workflow`'s secrets.
    func forget(_ workflow: String) {
        state.withLock { state in
            state.entries[workflow] = nil
            state.generation += 1
        }
    }

    /// Forgets every workflow's secrets.
    func forgetAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.generation += 1
        }
    }

    /// Forgets a workflow's secrets whenever any replica changes them, all of them when an organisation's
    /// standing changed (an empty payload), and all when listening resumes.
    var subscription: NotificationSubscription {
        NotificationSubscription(
            channel: PostgresEndpointSecretRepository.channel,
            received: { [self] workflow in workflow.isEmpty ? forgetAll() : forget(workflow) },
            resumed: { [self] in forgetAll() }
        )
    }
}
