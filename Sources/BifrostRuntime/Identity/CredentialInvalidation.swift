import BifrostStore
package import Logging
package import PostgresNIO

/// Keeps every replica's `CredentialCache` honest: a change to users, organisations or keys made through any
/// replica clears the cache of all of them at once, through PostgreSQL's `LISTEN`/`NOTIFY`.
public enum CredentialInvalidation {
    /// The notification channel.
    package static let channel = "bifrost_credentials"

    /// Clears this replica's cache and tells the others to clear theirs.
    package static func announce(clearing cache: CredentialCache, client: PostgresClient, logger: Logger) async {
        cache.removeAll()
        do {
            try await client.tracedQuery("SELECT pg_notify(\(channel), '')", logger: logger)
        } catch {
            logger.warning(
                "Could not notify other replicas of a credential change", metadata: ["error.message": "\(error)"])
        }
    }

    /// Clears `cache` on every announcement from any replica (this one included), and whenever listening
    /// (re)starts, since an announcement may have been missed meanwhile.
    public static func subscription(clearing cache: CredentialCache) -> NotificationSubscription {
        NotificationSubscription(channel: channel, received: { _ in cache.removeAll() }, resumed: { cache.removeAll() })
    }
}
