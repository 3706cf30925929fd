public import Logging
public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// Keeps every replica's `CredentialCache` honest: a change to users, organisations or keys made through any
/// replica clears the cache of all of them at once, through PostgreSQL's `LISTEN`/`NOTIFY`.
enum CredentialInvalidation {
    /// The notification channel.
    static let channel = "bifrost_credentials"

    /// Clears this replica's cache and tells the others to clear theirs.
    static func announce(clearing cache: CredentialCache, client: PostgresClient, logger: Logger) async {
        cache.removeAll()
        do {
            try await client.query("SELECT pg_notify(\(channel), '')", logger: logger)
        } catch {
            logger.warning("Could not notify other replicas of a credential change", metadata: ["error.message": "\(error)"])
        }
    }
}

/// Listens for credential changes announced by any replica (this one included) and clears the cache.
///
/// Holds one pooled connection for as long as it runs. After the connection is lost it clears the cache (a
/// notification may have been missed) and listens again, waiting a little longer after each failure.
public struct CredentialInvalidationListener: Service {
    let client: PostgresClient
    let cache: CredentialCache
    let logger: Logger

    public init(client: PostgresClient, cache: CredentialCache, logger: Logger) {
        self.client = client
        self.cache = cache
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var delay = Duration.milliseconds(200)
            while !Task.isCancelled {
                if await listenUntilDisconnected() { delay = .milliseconds(200) }
                cache.removeAll()
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    /// Listens on one connection until it fails. - Returns: whether listening had started.
    private func listenUntilDisconnected() async -> Bool {
        let started = ManagedFlag()
        do {
            try await client.withConnection { connection in
                try await connection.listen(on: CredentialInvalidation.channel) { notifications in
                    started.set()
                    cache.removeAll()
                    for try await _ in notifications { cache.removeAll() }
                }
            }
        } catch where !Task.isCancelled {
            logger.warning("Credential-change listener lost its connection", metadata: ["error.message": "\(error)"])
        } catch {}
        return started.isSet
    }
}

/// A flag set once, readable from anywhere.
private final class ManagedFlag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
