public import BifrostEngine
import BifrostStore
import Foundation

extension ExecutionEngine {
    /// Every channel the engine listens to: run events, cancellations, configuration and secret changes.
    public var subscriptions: [NotificationSubscription] {
        [eventSubscription, cancellationSubscription, configSubscription, secretSubscription]
    }

    /// Wakes this process's watchers of a run whenever any replica changes it, and all of them when listening
    /// resumes after a gap.
    public var eventSubscription: NotificationSubscription {
        NotificationSubscription(
            channel: ExecutionChannels.events,
            received: { [watchers] payload in
                for id in payload.split(separator: ",") { UUID(uuidString: String(id)).map(watchers.wake) }
            },
            resumed: { [watchers] in watchers.wakeAll() }
        )
    }

    /// Cancels a run this process executes when any replica is asked to (`PostgresJobQueue.requestCancellation`).
    public var cancellationSubscription: NotificationSubscription {
        NotificationSubscription(
            channel: ExecutionChannels.cancel,
            received: { payload in if let id = UUID(uuidString: payload) { _ = cancel(id) } },
            resumed: {}
        )
    }

    /// Forgets a configuration key in this replica's cache whenever any replica changes it, and everything when
    /// listening resumes after a gap.
    public var configSubscription: NotificationSubscription {
        NotificationSubscription(
            channel: PostgresConfigRepository.channel,
            received: { [configCache] key in configCache.invalidate(key) },
            resumed: { [configCache] in configCache.invalidateAll() }
        )
    }

    /// Forgets a secret in this replica's cache whenever any replica sets or deletes it, and everything when
    /// listening resumes after a gap.
    public var secretSubscription: NotificationSubscription {
        NotificationSubscription(
            channel: PostgresSecretRepository.channel,
            received: { [secretCache] name in secretCache.invalidate(name) },
            resumed: { [secretCache] in secretCache.invalidateAll() }
        )
    }
}
