public import BifrostStore
import Foundation
public import Logging
public import ServiceLifecycle

/// Refreshes connections before their tokens expire, so that runs rarely wait: every `interval`, each connected
/// connection whose token expires within the broker's margin plus two intervals is refreshed through the broker
/// (one replica does it; the others find the new token under the lock). Connections of deactivated organisations
/// are left alone (the broker would refuse them anyway). Runs once the schema is current. Each
/// refresh is given up after a minute, and shutdown does not wait for one: a statement on a connection that died
/// while PostgreSQL restarted may never return.
public struct OAuthRefresher: Service {
    let broker: OAuthBroker
    let schema: SchemaState
    let interval: Duration
    let logger: Logger

    /// - Parameter schema: refreshing starts once it is current.
    public init(broker: OAuthBroker, interval: Duration = .seconds(30), schema: SchemaState, logger: Logger) {
        self.broker = broker
        self.interval = interval
        self.schema = schema
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            guard (try? await schema.waitUntilCurrent()) != nil else { return }
            while !Task.isCancelled {
                await refreshExpiring()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Refreshes every connection that expires soon. - Returns: how many were due.
    @discardableResult
    public func refreshExpiring() async -> Int {
        let horizon = broker.settings.refreshMargin + interval * 2
        let due: [OAuthConnection]
        do {
            due = try await broker.connections.expiring(
                before: Date().addingTimeInterval(Double(horizon.components.seconds)))
        } catch {
            logger.warning("Could not list the OAuth connections to refresh", metadata: ["error.message": "\(error)"])
            return 0
        }
        for connection in due {
            do {
                try await withDeadline(.seconds(60)) { try await broker.refreshAhead(connection, horizon: horizon) }
            } catch {
                logger.warning(
                    "Could not refresh an OAuth connection ahead of expiry",
                    metadata: ["bifrost.oauth.connection": "\(connection.name)", "error.message": "\(error)"]
                )
            }
        }
        return due.count
    }
}
