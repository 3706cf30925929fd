public import BifrostStore
import Foundation
public import Logging
public import ServiceLifecycle

/// Refreshes connections before their tokens expire, so that runs rarely wait. Every `interval`, for each provider
/// with connected connections expiring within the broker's margin plus two intervals, it takes the leases of up to
/// `refreshAheadPerProvider` of them (the soonest first, `SKIP LOCKED`, so replicas share the work instead of
/// queueing on the same rows), refreshes them at once, and takes the next ones until none is due. Providers are
/// refreshed side by side, so one provider that is down delays only its own connections. Connections of
/// deactivated organisations are left alone. Runs once the schema is current; shutdown does not wait for a refresh
/// (its lease lapses).
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

    /// Refreshes every connection that expires soon and no other replica is refreshing.
    /// - Returns: how many this replica refreshed (or tried to).
    @discardableResult
    public func refreshExpiring() async -> Int {
        let horizon = broker.settings.refreshMargin + interval * 2
        let deadline = Date().addingTimeInterval(Double(horizon.components.seconds))
        let providers: [String]
        do {
            providers = try await broker.connections.providersExpiring(before: deadline)
        } catch {
            logger.warning("Could not list the OAuth connections to refresh", metadata: ["error.message": "\(error)"])
            return 0
        }
        return await withTaskGroup(of: Int.self) { group in
            for provider in providers {
                group.addTask { await refresh(provider, before: deadline, horizon: horizon) }
            }
            group.addTask { await refreshTenants(before: deadline, horizon: horizon) }
            return await group.reduce(0, +)
        }
    }

    /// Refreshes the customer tenants' tokens of `per_organization` connections that expire before `deadline`,
    /// `refreshAheadTenants` at a time: replicas claim disjoint tenants (`SKIP LOCKED`). - Returns: how many.
    private func refreshTenants(before deadline: Date, horizon: Duration) async -> Int {
        let width = max(1, broker.settings.refreshAheadTenants)
        var tried: [String] = []
        while !Task.isCancelled {
            let leases: [(connection: UUID, lease: OAuthTenantLease)]
            do {
                leases = try await broker.tenants.leaseExpiring(
                    before: deadline, limit: width, for: broker.settings.refreshLease, excluding: tried)
            } catch {
                logger.warning("Could not claim tenant tokens to refresh", metadata: ["error.message": "\(error)"])
                return tried.count
            }
            guard !leases.isEmpty else { return tried.count }
            tried += leases.map { "\($0.connection.lowercasedText)/\($0.lease.token.tenant)" }
            await withTaskGroup(of: Void.self) { group in
                for (_, lease) in leases {
                    group.addTask {
                        do {
                            try await broker.refreshTenantAhead(lease, horizon: horizon)
                        } catch {
                            logger.warning(
                                "Could not refresh a customer tenant's token ahead of expiry",
                                metadata: [
                                    "bifrost.oauth.tenant": "\(lease.token.tenant)", "error.message": "\(error)",
                                ]
                            )
                        }
                    }
                }
            }
        }
        return tried.count
    }

    /// Refreshes `provider`'s due connections, `refreshAheadPerProvider` at a time. - Returns: how many.
    private func refresh(_ provider: String, before deadline: Date, horizon: Duration) async -> Int {
        let width = max(1, broker.settings.refreshAheadPerProvider)
        var tried: [UUID] = []
        while !Task.isCancelled {
            let leases: [OAuthRefreshLease]
            do {
                leases = try await broker.connections.leaseExpiring(
                    provider: provider, before: deadline, limit: width, for: broker.settings.refreshLease,
                    excluding: tried)
            } catch {
                logger.warning(
                    "Could not claim OAuth connections to refresh",
                    metadata: ["bifrost.oauth.provider": "\(provider)", "error.message": "\(error)"])
                return tried.count
            }
            guard !leases.isEmpty else { return tried.count }
            // A refresh that failed leaves its connection due: it is tried again on the next pass, not this one.
            tried += leases.map(\.connection.id)
            await withTaskGroup(of: Void.self) { group in
                for lease in leases {
                    group.addTask {
                        do {
                            try await broker.refreshAhead(lease, horizon: horizon)
                        } catch {
                            logger.warning(
                                "Could not refresh an OAuth connection ahead of expiry",
                                metadata: [
                                    "bifrost.oauth.connection": "\(lease.connection.name)",
                                    "error.message": "\(error)",
                                ]
                            )
                        }
                    }
                }
            }
        }
        return tried.count
    }
}
