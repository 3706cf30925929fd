public import Bifrost
public import BifrostStore
public import Foundation
import Logging

/// Tokens of `per_organization` connections: one partner application, a token per customer tenant.
///
/// A run in an organisation gets a token for the organisation's Entra tenant (`entra_tenant_id`), minted with the
/// connection's client credentials (application permissions) or redeemed with the partner's delegated refresh
/// token (GDAP-style) at that tenant's token endpoint. Each (connection, tenant) has its own stored token, lease
/// and state (`OAuthTenantToken`), so that replicas ask the provider once per tenant, and a tenant that refuses
/// marks itself only: runs in it then fail at once, without asking again, until consent is recorded.
extension OAuthBroker {
    /// One customer tenant of one connection.
    struct TenantKey: Hashable, Sendable {
        var connection: UUID
        var tenant: String
    }

    /// The customer-tenant tokens' store.
    public var tenants: PostgresOAuthTenantTokenRepository { connections.tenantTokens }

    /// A valid token of `connection` for a run whose organisation's Entra tenant is `tenant`; with `force`, a new
    /// one whatever the stored one's age and the tenant's recorded refusal. - Throws: `OAuthBrokerError`
    /// (`misconfigured` when the organisation has no tenant).
    func tenantToken(_ connection: OAuthConnection, tenant: String?, force: Bool) async throws -> OAuthToken {
        guard let tenant else {
            throw OAuthBrokerError.misconfigured(
                connection: connection.name,
                reason: "the organisation has no Entra tenant id, which chooses the customer tenant of this connection"
            )
        }
        let horizon = force ? nil : settings.refreshMargin
        do {
            return try await tenantRequests.run(TenantKey(connection: connection.id, tenant: tenant)) {
                try await self.tenantToken(connection, tenant: tenant, validFor: horizon)
            }.get()
        } catch let error as StoreError where error == .notFound {
            throw OAuthBrokerError.notConnected(connection: connection.name)
        }
    }

    /// Refreshes the tenant whose lease the refresh-ahead service took, unless its token stays valid for `horizon`.
    public func refreshTenantAhead(_ lease: OAuthTenantLease, horizon: Duration) async throws {
        guard let (connection, credentials, isActive) = try await connections.current(lease.token.connectionID),
            isActive
        else {
            try await tenants.release(lease)
            return
        }
        if case .failure(let error) = try await tenantToken(
            under: lease, of: connection, credentials: credentials, validFor: horizon)
        {
            throw error
        }
    }

    /// The stored token if it stays valid for `horizon` (nil: ask regardless), else a new one asked under the
    /// tenant's lease; while another replica holds it, waits for it and reads the row again. The connection's own
    /// row (and its sealed credentials) is read only once the lease is taken, when the provider must be asked.
    private func tenantToken(_ connection: OAuthConnection, tenant: String, validFor horizon: Duration?) async throws
        -> Result<OAuthToken, OAuthBrokerError>
    {
        var pause = Duration.milliseconds(20)
        let giveUp = ContinuousClock.now + settings.refreshLease * 2
        while true {
            let stored = try await tenants.find(connection: connection.id, tenant: tenant)
            if let horizon, let stored,
                let token = valid(stored.token, stored.accessToken, of: connection, for: horizon)
            {
                return .success(token)
            }
            if horizon != nil, let stored, let refusal = refusal(stored.token, of: connection) {
                return .failure(refusal)
            }
            switch try await tenants.takeLease(of: connection, tenant: tenant, for: settings.refreshLease) {
            case .taken(let lease):
                guard let (current, credentials, isActive) = try await connections.current(connection.id) else {
                    try await tenants.release(lease)
                    throw StoreError.notFound
                }
                guard isActive else {
                    try await tenants.release(lease)
                    return .failure(.organizationDeactivated(connection: current.name))
                }
                if current.flow == .authorizationCode, credentials.refreshToken == nil {
                    try await tenants.release(lease)
                    return .failure(.notConnected(connection: current.name))
                }
                return try await tenantToken(under: lease, of: current, credentials: credentials, validFor: horizon)
            case .held:
                guard ContinuousClock.now < giveUp else {
                    return .failure(
                        .providerUnavailable(
                            connection: connection.name, reason: "a tenant's token request did not finish"))
                }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(500))
            }
        }
    }

    /// Under `lease`: the token as the lease found it if it stays valid for `horizon`, else the provider's for the
    /// tenant, stored. The lease is released whatever happens.
    private func tenantToken(
        under lease: OAuthTenantLease, of connection: OAuthConnection, credentials: OAuthCredentials,
        validFor horizon: Duration?
    ) async throws -> Result<OAuthToken, OAuthBrokerError> {
        let tenant = lease.token.tenant
        do {
            if let horizon,
                let token = valid(lease.token, try await tenants.accessToken(lease), of: connection, for: horizon)
            {
                try await tenants.release(lease)
                return .success(token)
            }
            guard let endpoints = try? catalogue.endpoints(of: connection, tenant: tenant) else {
                try await tenants.release(lease)
                return .failure(.misconfigured(connection: connection.name, reason: "its provider is not configured"))
            }
            let issued = try await withRetries(connection.name) {
                try await self.grant(connection, credentials: credentials, at: endpoints)
            }
            guard let stored = try await tenants.store(issued, under: lease) else {
                // Consent was recorded meanwhile: what it says stands.
                guard let now = try await tenants.find(connection: connection.id, tenant: tenant) else {
                    throw StoreError.notFound
                }
                if let refusal = refusal(now.token, of: connection) { return .failure(refusal) }
                var token = now.token
                token.tokenType = issued.tokenType
                token.expiresAt = issued.expiresAt
                return .success(tenantToken(token, accessToken: issued.accessToken, of: connection))
            }
            return .success(tenantToken(stored, accessToken: issued.accessToken, of: connection))
        } catch let failure as TokenRequestFailure {
            let reason = failure.description
            if case .rejected("invalid_client", _) = failure {
                // The client's own credentials were refused (an expired secret, say): no tenant is to blame, and
                // none is marked; an admin must correct the connection.
                try await tenants.recordError(reason, under: lease)
                return .failure(
                    .misconfigured(
                        connection: connection.name,
                        reason: "the provider refused the client's credentials (\(reason)); correct its client secret"))
            }
            if failure.needsReauth {
                // Without the application's consent a tenant's endpoint refuses its client: for client credentials
                // that is what the refusal means. A delegated grant refused is the partner's access to the tenant.
                let consentMissing = connection.flow == .clientCredentials
                let marked = try await tenants.markNeedsReauth(reason, consentMissing: consentMissing, under: lease)
                if marked != nil { await recordTenantRefused(connection, tenant: tenant, reason: reason) }
                return .failure(
                    consentMissing
                        ? .consentRequired(connection: connection.name, tenant: tenant, reason: reason)
                        : .tenantRefused(connection: connection.name, tenant: tenant, reason: reason))
            }
            try await tenants.recordError(reason, under: lease)
            switch failure {
            case .unavailable:
                if let access = try await tenants.accessToken(lease),
                    let token = valid(lease.token, access, of: connection, for: .zero)
                {
                    return .success(token)
                }
                return .failure(.providerUnavailable(connection: connection.name, reason: reason))
            case .destinationRefused:
                return .failure(.misconfigured(connection: connection.name, reason: reason))
            case .rejected:
                return .failure(.rejected(connection: connection.name, reason: reason))
            }
        } catch {
            try? await tenants.release(lease)
            throw error
        }
    }

    /// Why runs in the tenant fail at once, if they do: consent refused as recorded, or the tenant's refusal.
    private func refusal(_ token: OAuthTenantToken, of connection: OAuthConnection) -> OAuthBrokerError? {
        if token.consent == .refused {
            return .consentRequired(
                connection: connection.name, tenant: token.tenant, reason: token.consentError ?? "consent refused")
        }
        if token.status == .needsReauth {
            return .tenantRefused(
                connection: connection.name, tenant: token.tenant, reason: token.lastError ?? "refused")
        }
        return nil
    }

    /// The stored tenant token, if it is connected and stays valid for `horizon`.
    private func valid(
        _ token: OAuthTenantToken, _ accessToken: String?, of connection: OAuthConnection, for horizon: Duration
    ) -> OAuthToken? {
        guard token.status == .connected, let accessToken, let expires = token.expiresAt,
            expires.timeIntervalSinceNow > horizon.seconds
        else { return nil }
        return tenantToken(token, accessToken: accessToken, of: connection)
    }

    /// A tenant's token as runs get it: usable only at the provider's API addresses in the catalogue.
    private func tenantToken(_ token: OAuthTenantToken, accessToken: String, of connection: OAuthConnection)
        -> OAuthToken
    {
        OAuthToken(
            accessToken: accessToken, tokenType: token.tokenType ?? "Bearer", expiresAt: token.expiresAt,
            scopes: connection.scopes, apiBaseURLs: catalogue.providers[connection.provider]?.apiBaseURLs ?? []
        )
    }

    private func recordTenantRefused(_ connection: OAuthConnection, tenant: String, reason: String) async {
        logger.warning(
            "A customer tenant refused an OAuth connection",
            metadata: [
                "bifrost.oauth.connection": "\(connection.name)", "bifrost.oauth.tenant": "\(tenant)",
                "error.message": "\(reason)",
            ]
        )
        do {
            try await audit.record(
                AuditEvent(
                    organizationID: connection.organizationID, actorKind: "system", actorID: nil,
                    actorLabel: "oauth broker", action: "oauth.tenant_refused", targetKind: "oauth_connection",
                    targetID: "\(connection.name)/\(tenant)", outcome: "failure"
                ))
        } catch {
            logger.warning("Could not audit a customer tenant's refusal", metadata: ["error.message": "\(error)"])
        }
    }
}
