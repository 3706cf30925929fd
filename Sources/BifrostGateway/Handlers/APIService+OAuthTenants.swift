import BifrostAPI
import BifrostOAuth
import BifrostRuntime
import BifrostStore
import Foundation

/// The customer tenants of `per_organization` connections: their states, and admin consent per customer.
extension APIService {
    /// How long an admin-consent address may be used, in seconds.
    static let consentLifetime: Int64 = 3 * 24 * 3_600

    func listOAuthConnectionTenants(_ input: Operations.ListOAuthConnectionTenants.Input) async throws
        -> Operations.ListOAuthConnectionTenants.Output
    {
        let connection = try await connection(named: input.path.name)
        let states = try await oauth.broker.tenants.states(of: connection)
        return .ok(.init(body: .json(states.map(Components.Schemas.OAuthConnectionTenant.init))))
    }

    func startOAuthAdminConsent(_ input: Operations.StartOAuthAdminConsent.Input) async throws
        -> Operations.StartOAuthAdminConsent.Output
    {
        let caller = try RequestIdentity.required()
        let connection = try await connection(named: input.path.name)
        guard connection.tenancy == .perOrganization else {
            throw Problem.validation([
                .init(field: "tenancy", message: "only per_organization connections ask customer tenants for consent")
            ])
        }
        // A global connection serves every organisation; an organisation's connection, its own alone.
        guard let organization = UUID(uuidString: input.path.organizationId),
            connection.organizationID == nil || connection.organizationID == organization,
            let (tenant, _) = try await oauth.broker.tenants.entraTenant(of: organization)
        else {
            throw Problem.notFound("This connection serves no organisation with this id.")
        }
        guard let tenant else {
            throw Problem.validation([
                .init(field: "organization_id", message: "the organisation has no Entra tenant id to ask for consent")
            ])
        }
        guard let endpoints = try? oauth.broker.catalogue.endpoints(of: connection, tenant: tenant),
            endpoints.adminConsentURL != nil
        else {
            throw Problem.validation([
                .init(field: "provider", message: "the connection's provider has no admin-consent page")
            ])
        }
        // The customer's admin may take a while to open the address: it lasts three days, single-use.
        let lifetime = Duration.seconds(Self.consentLifetime)
        let starter = PostgresOAuthStateRepository.Starter(
            kind: caller.principal.kind, id: caller.principal.id, label: caller.principal.label
        )
        let started = try await oauth.states.begin(
            for: connection, by: starter, lifetime: lifetime, consentTenant: tenant)
        guard
            let url = AuthorizationRequest.adminConsentURL(
                endpoints, clientID: connection.clientID, redirectURI: oauth.redirectURL, state: started.state)
        else {
            throw Problem.validation([.init(field: "provider", message: "the admin-consent page is not a URL")])
        }
        try await identity.audit.record(
            caller.auditEvent(
                "oauth.consent_requested", targetKind: "oauth_connection", targetID: "\(connection.name)/\(tenant)"))
        return .ok(
            .init(
                body: .json(
                    .init(authorizationUrl: url, expiresAt: Date().addingTimeInterval(Double(Self.consentLifetime))))
            ))
    }

    /// Records a customer admin's answer to an admin-consent request the callback redeemed: granted when the
    /// provider says `admin_consent=True` for the tenant asked, refused (with the provider's error code) otherwise.
    func completeAdminConsent(
        _ redeemed: PostgresOAuthStateRepository.Redeemed, tenant: String,
        query: Operations.CompleteOAuthAuthorization.Input.Query
    ) async throws -> OAuthConnection {
        guard let connection = try await oauth.connections.find(id: redeemed.connectionID) else {
            throw Problem.badRequest("The connection was deleted during the consent request.")
        }
        if let answered = query.tenant, !answered.isEmpty, answered.lowercased() != tenant.lowercased() {
            throw Problem.badRequest(
                "Consent was answered for another tenant than the organisation's (\(tenant)); sign in as an admin of that tenant and start again."
            )
        }
        let granted = query.error == nil && query.adminConsent?.lowercased() == "true"
        let error = query.error.map(TokenRequestFailure.sanitizedErrorCode) ?? (granted ? nil : "no consent given")
        try await oauth.broker.tenants.recordConsent(of: connection, tenant: tenant, granted: granted, error: error)
        try await identity.audit.record(
            AuditEvent(
                organizationID: redeemed.organizationID, actorKind: redeemed.startedBy.kind,
                actorID: redeemed.startedBy.id, actorLabel: redeemed.startedBy.label,
                action: granted ? "oauth.consent_granted" : "oauth.consent_refused", targetKind: "oauth_connection",
                targetID: "\(connection.name)/\(tenant)", outcome: granted ? "success" : "failure"
            ))
        guard granted else {
            throw Problem.badRequest(
                "The tenant's admin did not grant consent (\(error ?? "refused")); runs in the organisation will fail until consent is granted."
            )
        }
        return connection
    }
}

extension Components.Schemas.OAuthConnectionTenant {
    init(_ state: OAuthTenantState) {
        let token = state.token
        self.init(
            organizationId: state.organizationID.lowercasedText, organizationName: state.organizationName,
            organizationActive: state.organizationIsActive, tenant: state.tenant,
            consent: .init(rawValue: token?.consent.rawValue ?? "unknown") ?? .unknown,
            consentError: token?.consentError, consentAt: token?.consentAt,
            status: .init(rawValue: token?.status.rawValue ?? "not_connected") ?? .notConnected,
            expiresAt: token?.expiresAt, lastRefreshAt: token?.lastRefreshAt, lastError: token?.lastError
        )
    }
}
