public import Bifrost
public import BifrostStore
import BifrostTelemetry
public import Foundation
public import Logging
public import Metrics
import Synchronization
import Tracing

/// Hands runs a valid access token for a connection, and owns its refresh.
///
/// A token more than `refreshMargin` from expiry is served from memory. Otherwise one task per connection in this
/// process refreshes it (other callers wait on that task). That task reads the row: when another replica has
/// refreshed meanwhile, its token is used and the provider is not asked (double check). Otherwise it takes the
/// connection's refresh lease (`OAuthRefreshLease`, one holder across every replica) in a short statement, asks
/// the provider holding no database connection, and stores the new tokens, a rotated refresh token included, in
/// one statement that also releases the lease; a task that finds the lease held waits for it to be released (or
/// to lapse) and reads the row again. `invalid_grant`, `invalid_client` and `unauthorized_client` mark the
/// connection `needs_reauth` (audited); outages are retried with backoff and jitter and never change the status,
/// and while the stored token is still valid it is handed out.
///
/// A run gets its organisation's connection, else a global one shared with organisations; never one of a
/// deactivated organisation. Cached tokens are forgotten as soon as any replica announces a change that makes them
/// stale (`OAuthChange`): a connection created, changed or deleted, new tokens, an organisation deactivated. Tokens
/// carry their provider's API addresses, the only places workflows can send them.
public final class OAuthBroker: Sendable {
    /// Timing of refreshes, and where token requests may go.
    public struct Settings: Sendable {
        /// A token this close to expiry is refreshed before it is handed out.
        public var refreshMargin: Duration = .seconds(300)
        /// Waits before the retries of a failed token request (each scaled by a random 0.5 to 1.5).
        public var retryDelays: [Duration] = [.milliseconds(250), .seconds(1), .seconds(2)]
        /// How long one token request may take, connecting included.
        public var requestTimeout: Duration = .seconds(15)
        /// Which token and authorize URLs are allowed, checked when an admin sets them and before each request.
        public var urlPolicy = ProviderURLPolicy()
        /// How many connections of one provider the refresh-ahead service refreshes at once on each replica: a
        /// provider that is down holds up only its own connections.
        public var refreshAheadPerProvider = 4
        /// How many customer tenants' tokens the refresh-ahead service refreshes at once on each replica.
        public var refreshAheadTenants = 16

        public init() {}

        /// How long a refresh lease lasts: longer than the slowest refresh (every attempt timing out, the longest
        /// waits between them), so that it lapses only when its holder died.
        public var refreshLease: Duration {
            let attempts = requestTimeout * (retryDelays.count + 1)
            let waits = retryDelays.reduce(Duration.zero, +) * 1.5
            return attempts + waits + .seconds(10)
        }
    }

    private struct CacheKey: Hashable {
        var organization: UUID?
        var name: String
    }

    private struct Cached {
        var token: OAuthToken
        var connectionID: UUID
        /// The `provider` label of the connection's provider.
        var provider: String
        /// When the token is no longer handed out from memory.
        var refreshAfter: Date
    }

    /// The cached tokens, and how many times some were forgotten: a lookup that started before a change was
    /// announced does not cache what it read.
    private struct Cache {
        var tokens: [CacheKey: Cached] = [:]
        var epoch = 0
    }

    private enum Outcome: Sendable {
        case token(OAuthToken)
        case failure(OAuthBrokerError)
        /// The provider refused the grant just now (audited once, when the status flips).
        case refused(OAuthBrokerError)
    }

    public let connections: PostgresOAuthConnectionRepository
    public let catalogue: OAuthProviderCatalogue
    let endpoint: TokenEndpoint
    let audit: any AuditLog
    public let settings: Settings
    let logger: Logger
    /// Where token requests, tokens served from memory and the token cache's lookups are counted.
    let metrics: any MetricsFactory
    private let cacheLookups: CacheLookups
    private let cache = Mutex(Cache())
    /// Callers asking for one name in one scope while its token is not cached: one looks it up.
    private let lookups = SingleFlight<CacheKey, OAuthToken?>()
    /// Refreshes under way in this process, by connection.
    private let refreshes = SingleFlight<UUID, Outcome>()
    /// Customer-tenant token requests under way in this process, by connection and tenant.
    let tenantRequests = SingleFlight<TenantKey, Result<OAuthToken, OAuthBrokerError>>()

    public init(
        connections: PostgresOAuthConnectionRepository, catalogue: OAuthProviderCatalogue, audit: any AuditLog,
        settings: Settings = Settings(), metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) {
        self.metrics = metrics
        self.cacheLookups = CacheLookups(.oauthTokens, factory: metrics)
        self.connections = connections
        self.catalogue = catalogue
        self.endpoint = TokenEndpoint(policy: settings.urlPolicy, timeout: settings.requestTimeout, logger: logger)
        self.audit = audit
        self.settings = settings
        self.logger = logger
    }

    /// A valid token of connection `name` for a run in `scope`: the organisation's connection, else a global one
    /// shared with organisations (for a run in global scope, the global one); nil when there is none.
    /// - Throws: `OAuthBrokerError` (`organizationDeactivated` for a run of a deactivated organisation).
    public func token(_ name: String, for scope: Scope) async throws -> OAuthToken? {
        try await Traced.span("oauth token") { span in
            span?.attributes[SpanAttribute.oauthConnection] = name
            let (token, outcome) = try await lookUp(name, for: scope)
            span?.attributes[SpanAttribute.oauthOutcome] = outcome
            return token
        }
    }

    /// `token(_:for:)`, and how it was found: `cache` (this process's memory), `waited` (another caller's lookup,
    /// single flight), `looked_up` (the database, and the provider when the stored token was due; the token
    /// endpoint's own span says so), or `none`.
    private func lookUp(_ name: String, for scope: Scope) async throws -> (OAuthToken?, String) {
        let key = CacheKey(organization: scope.organizationID, name: name)
        if let cached = cache.withLock({ $0.tokens[key] }), cached.refreshAfter > Date() {
            cacheLookups.record(hit: true)
            Counter(
                label: MetricName.oauthTokensCached, dimensions: [("provider", cached.provider)], factory: metrics
            ).increment()
            return (cached.token, "cache")
        }
        cacheLookups.record(hit: false)
        let (token, joined) = try await lookups.runNotingShare(key) {
            let epoch = self.cache.withLock { $0.epoch }
            // The organisation's state and Entra tenant (which `per_organization` connections act in), in one read.
            var organizationTenant: String?
            if let organization = scope.organizationID {
                guard let found = try await self.tenants.entraTenant(of: organization), found.isActive else {
                    throw OAuthBrokerError.organizationDeactivated(connection: name)
                }
                organizationTenant = found.tenant
            }
            guard let connection = try await self.connections.findForRun(name, scope: scope) else { return nil }
            let token: OAuthToken
            if connection.tenancy == .perOrganization, scope.organizationID != nil {
                token = try await self.tenantToken(connection, tenant: organizationTenant, force: false)
            } else {
                token = try await self.refreshed(connection, force: false)
            }
            self.remember(
                token, of: connection.id, provider: self.providerLabel(of: connection), as: key, lookedUpAt: epoch)
            return token
        }
        return (token, token == nil ? "none" : joined ? "waited" : "looked_up")
    }

    /// Refreshes connection `id` now, whatever its token's age (an admin's request). - Throws: `OAuthBrokerError`.
    @discardableResult
    public func forceRefresh(_ connection: OAuthConnection) async throws -> OAuthToken {
        try await refreshed(connection, force: true)
    }

    /// Refreshes the connection whose lease the refresh-ahead service took, unless its token turns out to stay
    /// valid for `horizon`. Runs in this process asking for it meanwhile wait for the lease like any other.
    public func refreshAhead(_ lease: OAuthRefreshLease, horizon: Duration) async throws {
        if case .failure(let error) = try await refresh(under: lease, validFor: horizon) { throw error }
    }

    /// Exchanges an authorization code for `connection`'s first (or new) tokens and stores them; a refresh in
    /// progress meanwhile drops its result.
    /// - Throws: `TokenRequestFailure`, `OAuthBrokerError.organizationDeactivated`, `StoreError.notFound`.
    public func completeAuthorization(
        of connectionID: UUID, code: String, verifier: String, redirectURI: String
    ) async throws -> OAuthConnection {
        guard let (current, credentials, organizationIsActive) = try await connections.current(connectionID) else {
            throw StoreError.notFound
        }
        guard organizationIsActive else { throw OAuthBrokerError.organizationDeactivated(connection: current.name) }
        let endpoints = try catalogue.endpoints(of: current)
        let issued = try await countingTokenRequest(of: current) {
            try await endpoint.exchange(
                code: code, verifier: endpoints.usesPKCE ? verifier : nil, redirectURI: redirectURI,
                at: endpoints.tokenURL, clientID: current.clientID, clientSecret: credentials.clientSecret
            )
        }
        return try await connections.storeAuthorized(issued, for: connectionID)
    }

    /// Forgets connection `id`'s cached tokens.
    public func forget(_ id: UUID) { forget(.tokens(connectionID: id)) }

    /// Forgets the cached tokens `change` makes stale (a replica announced it).
    public func forget(_ change: OAuthChange) {
        cache.withLock { cache in
            cache.epoch += 1
            switch change {
            case .tokens(let id):
                cache.tokens = cache.tokens.filter { $0.value.connectionID != id }
            case .connection(let id, let organization, let name):
                // Runs resolve a name to their organisation's connection, else a shared global one: a change to
                // either may send them to another connection.
                cache.tokens = cache.tokens.filter { key, cached in
                    cached.connectionID != id
                        && !(key.name == name && (organization == nil || key.organization == organization))
                }
            case .organization(let organization):
                cache.tokens = cache.tokens.filter { $0.key.organization != organization }
            }
        }
    }

    /// Forgets every cached token (notifications may have been missed).
    public func forgetAll() {
        cache.withLock { cache in
            cache.epoch += 1
            cache.tokens.removeAll()
        }
    }

    // MARK: Refreshing

    /// Caches `token`, unless something was forgotten since the lookup began (what it read may be stale).
    private func remember(
        _ token: OAuthToken, of id: UUID, provider: String, as key: CacheKey, lookedUpAt epoch: Int
    ) {
        guard let expires = token.expiresAt else { return }
        let refreshAfter = expires.addingTimeInterval(-settings.refreshMargin.seconds)
        cache.withLock { cache in
            guard cache.epoch == epoch else { return }
            cache.tokens[key] = Cached(
                token: token, connectionID: id, provider: provider, refreshAfter: refreshAfter)
        }
    }

    private func refreshed(_ connection: OAuthConnection, force: Bool) async throws -> OAuthToken {
        let horizon = force ? nil : settings.refreshMargin
        switch try await singleFlight(connection, { try await self.refresh(connection.id, validFor: horizon) }) {
        case .token(let token): return token
        case .failure(let error), .refused(let error): throw error
        }
    }

    /// Runs `work` once per connection in this process at a time: callers arriving meanwhile wait for its outcome.
    private func singleFlight(_ connection: OAuthConnection, _ work: @escaping @Sendable () async throws -> Outcome)
        async throws -> Outcome
    {
        do {
            return try await refreshes.run(connection.id, work)
        } catch let error as StoreError where error == .notFound {
            throw OAuthBrokerError.notConnected(connection: connection.name)
        }
    }

    /// The stored token if it stays valid for `horizon` (nil: refresh regardless), else a new one from the
    /// provider, asked under the connection's refresh lease. While another replica holds the lease, waits for it
    /// and reads the row again.
    private func refresh(_ id: UUID, validFor horizon: Duration?) async throws -> Outcome {
        var pause = Duration.milliseconds(20)
        let giveUp = ContinuousClock.now + settings.refreshLease * 2
        while true {
            guard let (current, credentials, organizationIsActive) = try await connections.current(id) else {
                throw StoreError.notFound
            }
            guard organizationIsActive else { return .failure(.organizationDeactivated(connection: current.name)) }
            if let horizon, let token = validToken(current, credentials, for: horizon) { return .token(token) }
            if current.status == .needsReauth, horizon != nil {
                return .failure(.needsReauth(connection: current.name, reason: current.lastError ?? "refused earlier"))
            }
            switch try await connections.takeLease(id, for: settings.refreshLease) {
            case .missing:
                throw StoreError.notFound
            case .taken(let lease):
                return try await refresh(under: lease, validFor: horizon)
            case .held:
                // Another replica asks the provider; its tokens arrive with the lease's release.
                guard ContinuousClock.now < giveUp else {
                    return .failure(.providerUnavailable(connection: current.name, reason: "a refresh did not finish"))
                }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(500))
            }
        }
    }

    /// Under `lease`: the token as the lease found it if it stays valid for `horizon`, else the provider's. The
    /// lease is released whatever happens.
    private func refresh(under lease: OAuthRefreshLease, validFor horizon: Duration?) async throws -> Outcome {
        let outcome: Outcome
        do {
            outcome = try await tokens(under: lease, validFor: horizon)
        } catch {
            try? await connections.release(lease)
            throw error
        }
        if case .refused(.needsReauth(let name, let reason)) = outcome {
            forget(lease.connection.id)
            await recordReauthNeeded(lease.connection.id, name: name, reason: reason)
        }
        return outcome
    }

    private func tokens(under lease: OAuthRefreshLease, validFor horizon: Duration?) async throws -> Outcome {
        let current = lease.connection
        let credentials = try await connections.credentials(lease)
        guard lease.organizationIsActive else {
            try await connections.release(lease)
            return .failure(.organizationDeactivated(connection: current.name))
        }
        if let horizon, let token = validToken(current, credentials, for: horizon) {
            try await connections.release(lease)
            return .token(token)
        }
        let endpoints: OAuthProviderCatalogue.Endpoints
        do {
            endpoints = try catalogue.endpoints(of: current)
        } catch {
            try await connections.release(lease)
            return .failure(.misconfigured(connection: current.name, reason: "its provider is not configured"))
        }
        return try await requestTokens(lease, credentials: credentials, endpoints: endpoints)
    }

    /// Asks the provider, retrying outages; stores what it issues, or records why not, releasing the lease.
    private func requestTokens(
        _ lease: OAuthRefreshLease, credentials: OAuthCredentials, endpoints: OAuthProviderCatalogue.Endpoints
    ) async throws -> Outcome {
        let current = lease.connection
        if current.flow == .authorizationCode, credentials.refreshToken == nil {
            try await connections.release(lease)
            return .failure(
                current.status == .notConnected
                    ? .notConnected(connection: current.name)
                    : .needsReauth(connection: current.name, reason: "no refresh token"))
        }
        do {
            let issued = try await withRetries(current.name) {
                try await self.grant(current, credentials: credentials, at: endpoints)
            }
            guard let stored = try await connections.store(issued, under: lease) else {
                return try await changedMeanwhile(lease)
            }
            return .token(token(stored, accessToken: issued.accessToken))
        } catch let failure as TokenRequestFailure {
            if failure.needsReauth {
                guard try await connections.markNeedsReauth(failure.description, under: lease) != nil else {
                    // A new authorization (or an admin's change) came first: what it stored stands.
                    return try await changedMeanwhile(lease)
                }
                return .refused(.needsReauth(connection: current.name, reason: failure.description))
            }
            try await connections.recordError(failure.description, under: lease)
            switch failure {
            case .unavailable:
                // The provider is down: a token that is still valid serves until it comes back.
                if let token = validToken(current, credentials, for: .zero) { return .token(token) }
                return .failure(.providerUnavailable(connection: current.name, reason: failure.description))
            case .destinationRefused:
                return .failure(.misconfigured(connection: current.name, reason: failure.description))
            case .rejected:
                return .failure(.rejected(connection: current.name, reason: failure.description))
            }
        } catch {
            try? await connections.release(lease)
            throw error
        }
    }

    /// The grant `connection`'s flow uses at `endpoints`: client credentials, else its refresh token (for a
    /// `per_organization` connection, the partner's, redeemed at a customer tenant's token endpoint).
    func grant(
        _ connection: OAuthConnection, credentials: OAuthCredentials, at endpoints: OAuthProviderCatalogue.Endpoints
    ) async throws -> IssuedTokens {
        switch connection.flow {
        case .clientCredentials:
            return try await countingTokenRequest(of: connection) {
                try await endpoint.clientCredentials(
                    scopes: endpoints.scopes, at: endpoints.tokenURL, clientID: connection.clientID,
                    clientSecret: credentials.clientSecret
                )
            }
        case .authorizationCode:
            guard let refreshToken = credentials.refreshToken else {
                throw TokenRequestFailure.rejected(code: "invalid_grant", status: 0)
            }
            return try await countingTokenRequest(of: connection) {
                try await endpoint.refresh(
                    refreshToken, scopes: endpoints.scopes, at: endpoints.tokenURL, clientID: connection.clientID,
                    clientSecret: credentials.clientSecret
                )
            }
        }
    }

    /// Runs `request`, retrying it after `TokenRequestFailure.unavailable` (an outage) with the settings' waits,
    /// each scaled by a random 0.5 to 1.5; any other failure, or the last outage, is thrown.
    func withRetries(_ name: String, _ request: () async throws -> IssuedTokens) async throws -> IssuedTokens {
        var attempt = 0
        while true {
            do {
                return try await request()
            } catch let failure as TokenRequestFailure {
                guard case .unavailable = failure, attempt < settings.retryDelays.count else { throw failure }
                let delay = settings.retryDelays[attempt].seconds * Double.random(in: 0.5...1.5)
                attempt += 1
                logger.notice(
                    "Retrying a token request",
                    metadata: ["bifrost.oauth.connection": "\(name)", "error.message": "\(failure)"]
                )
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// The connection changed while this replica asked the provider (an admin connected it again or changed it):
    /// the lease is given back and what is stored now is used.
    private func changedMeanwhile(_ lease: OAuthRefreshLease) async throws -> Outcome {
        try? await connections.release(lease)
        guard let (fresh, credentials, _) = try await connections.current(lease.connection.id) else {
            throw StoreError.notFound
        }
        if let token = validToken(fresh, credentials, for: .zero) { return .token(token) }
        if fresh.status == .needsReauth {
            return .failure(.needsReauth(connection: fresh.name, reason: fresh.lastError ?? "refused"))
        }
        return .failure(.notConnected(connection: fresh.name))
    }

    func recordReauthNeeded(_ id: UUID, name: String, reason: String) async {
        logger.warning(
            "An OAuth connection must be connected again",
            metadata: ["bifrost.oauth.connection": "\(name)", "error.message": "\(reason)"]
        )
        guard let connection = try? await connections.find(id: id) else { return }
        do {
            try await audit.record(
                AuditEvent(
                    organizationID: connection.organizationID, actorKind: "system", actorID: nil,
                    actorLabel: "oauth broker",
                    action: "oauth.needs_reauth", targetKind: "oauth_connection", targetID: name, outcome: "failure"
                ))
        } catch {
            logger.warning("Could not audit an OAuth connection's failure", metadata: ["error.message": "\(error)"])
        }
    }

    /// The stored token, if the connection is connected and it stays valid for `horizon`.
    private func validToken(_ connection: OAuthConnection, _ credentials: OAuthCredentials, for horizon: Duration)
        -> OAuthToken?
    {
        guard connection.status == .connected, let access = credentials.accessToken, let expires = connection.expiresAt,
            expires.timeIntervalSinceNow > horizon.seconds
        else { return nil }
        return token(connection, accessToken: access)
    }

    /// The token as runs get it: usable only at its provider's API addresses in the catalogue.
    func token(_ connection: OAuthConnection, accessToken: String) -> OAuthToken {
        OAuthToken(
            accessToken: accessToken, tokenType: connection.tokenType ?? "Bearer", expiresAt: connection.expiresAt,
            scopes: connection.grantedScopes ?? connection.scopes,
            apiBaseURLs: catalogue.providers[connection.provider]?.apiBaseURLs ?? []
        )
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
