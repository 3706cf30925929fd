import BifrostStore
import Foundation
import Synchronization

/// The active signing secrets of each endpoint, opened, kept for `lifetime` so that verifying a webhook costs an
/// HMAC per secret and no query; forgotten at once when any replica creates or retires one (`NOTIFY
/// bifrost_endpoint_secrets`).
final class EndpointSecretCache: Sendable {
    private struct Entry {
        var secrets: [PostgresEndpointSecrets.Active]
        var expires: ContinuousClock.Instant
    }

    let store: PostgresEndpointSecrets
    private let lifetime: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(store: PostgresEndpointSecrets, lifetime: Duration = .seconds(30)) {
        self.store = store
        self.lifetime = lifetime
    }

    /// `workflow`'s active secrets in every organisation.
    func secrets(for workflow: String) async throws -> [PostgresEndpointSecrets.Active] {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[workflow] }), entry.expires > now { return entry.secrets }
        let secrets = try await store.active(for: workflow)
        entries.withLock { $0[workflow] = Entry(secrets: secrets, expires: now + lifetime) }
        return secrets
    }

    func forget(_ workflow: String) { _ = entries.withLock { $0.removeValue(forKey: workflow) } }

    func forgetAll() { entries.withLock { $0.removeAll() } }

    /// Forgets a workflow's secrets whenever any replica changes them, and all when listening resumes.
    var subscription: NotificationSubscription {
        NotificationSubscription(
            channel: PostgresEndpointSecrets.channel,
            received: { [self] workflow in forget(workflow) },
            resumed: { [self] in forgetAll() }
        )
    }
}
