import BifrostAPI
import BifrostOAuth
import BifrostRuntime
import BifrostStore
import Foundation

/// What the OAuth routes need: connections and authorization states in the database, the broker that talks to
/// providers, and the callback address registered with them.
struct OAuthServices: Sendable {
    let connections: PostgresOAuthConnectionRepository
    let states: PostgresOAuthStateRepository
    let broker: OAuthBroker
    let redirectURL: String

    /// The cookie binding an authorization to its starter's browser, scoped to the callback address.
    var stateCookie: OAuthStateCookie { OAuthStateCookie(redirectURL: redirectURL) }
}

extension APIService {
    func listOAuthConnections(_ input: Operations.ListOAuthConnections.Input) async throws
        -> Operations.ListOAuthConnections.Output
    {
        let caller = try RequestIdentity.required()
        return .ok(
            .init(
                body: .json(
                    try await oauth.connections.list(in: caller.scope).map(Components.Schemas.OAuthConnection.init))))
    }

    func createOAuthConnection(_ input: Operations.CreateOAuthConnection.Input) async throws
        -> Operations.CreateOAuthConnection.Output
    {
        let caller = try RequestIdentity.required()
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        guard let name = body.name else { throw Problem.validation([.init(field: "name", message: "is required")]) }
        guard OAuthConnection.isValidName(name) else {
            throw Problem.validation([.init(field: "name", message: "must be 1 to 100 letters, digits, '_' or '-'")])
        }
        let settings = try await checkedSettings(body, by: caller)
        do {
            let created = try await oauth.connections.create(
                name, settings, clientSecret: body.clientSecret, in: caller.scope, by: caller.principal.label
            )
            try await identity.audit.record(
                caller.auditEvent("oauth.create", targetKind: "oauth_connection", targetID: name))
            return .created(.init(body: .json(.init(created))))
        } catch StoreError.conflict {
            throw Problem.conflict("This scope already has a connection with this name.")
        }
    }

    func getOAuthConnection(_ input: Operations.GetOAuthConnection.Input) async throws
        -> Operations.GetOAuthConnection.Output
    {
        .ok(.init(body: .json(.init(try await connection(named: input.path.name)))))
    }

    func updateOAuthConnection(_ input: Operations.UpdateOAuthConnection.Input) async throws
        -> Operations.UpdateOAuthConnection.Output
    {
        let caller = try RequestIdentity.required()
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        if let name = body.name, name != input.path.name {
            throw Problem.validation([.init(field: "name", message: "must match the connection's name in the path")])
        }
        let settings = try await checkedSettings(body, by: caller)
        do {
            let updated = try await oauth.connections.update(
                input.path.name, settings, clientSecret: body.clientSecret, in: caller.scope, by: caller.principal.label
            )
            try await identity.audit.record(
                caller.auditEvent("oauth.update", targetKind: "oauth_connection", targetID: input.path.name)
            )
            return .ok(.init(body: .json(.init(updated))))
        } catch StoreError.notFound {
            throw Problem.notFound("No OAuth connection of this scope has this name.")
        }
    }

    func deleteOAuthConnection(_ input: Operations.DeleteOAuthConnection.Input) async throws
        -> Operations.DeleteOAuthConnection.Output
    {
        let caller = try RequestIdentity.required()
        guard try await oauth.connections.delete(input.path.name, in: caller.scope) else {
            throw Problem.notFound("No OAuth connection of this scope has this name.")
        }
        try await identity.audit.record(
            caller.auditEvent("oauth.delete", targetKind: "oauth_connection", targetID: input.path.name))
        return .noContent(.init())
    }

    func authorizeOAuthConnection(_ input: Operations.AuthorizeOAuthConnection.Input) async throws
        -> Operations.AuthorizeOAuthConnection.Output
    {
        let caller = try RequestIdentity.required()
        let connection = try await connection(named: input.path.name)
        guard connection.flow == .authorizationCode else {
            throw Problem.validation([
                .init(field: "flow", message: "client_credentials connections need no authorization")
            ])
        }
        let endpoints: OAuthProviderCatalogue.Endpoints
        do {
            endpoints = try oauth.broker.catalogue.endpoints(of: connection)
        } catch {
            throw Problem.validation([.init(field: "provider", message: "\(error)")])
        }
        let lifetime = Duration.seconds(600)
        let starter = PostgresOAuthStateRepository.Starter(
            kind: caller.principal.kind, id: caller.principal.id, label: caller.principal.label
        )
        let started = try await oauth.states.begin(for: connection, by: starter, lifetime: lifetime)
        guard
            let url = AuthorizationRequest.url(
                endpoints, clientID: connection.clientID, redirectURI: oauth.redirectURL, state: started.state,
                verifier: started.verifier
            )
        else {
            throw Problem.validation([
                .init(field: "authorize_url", message: "the connection has no usable authorize URL")
            ])
        }
        return .ok(
            .init(
                headers: .init(
                    setCookie: oauth.stateCookie.setting(started.binding, for: started.state, lifetime: lifetime)),
                body: .json(.init(authorizationUrl: url, expiresAt: Date().addingTimeInterval(600)))
            ))
    }

    func refreshOAuthConnection(_ input: Operations.RefreshOAuthConnection.Input) async throws
        -> Operations.RefreshOAuthConnection.Output
    {
        let caller = try RequestIdentity.required()
        let connection = try await connection(named: input.path.name)
        do {
            try await oauth.broker.forceRefresh(connection)
        } catch let error as OAuthBrokerError {
            switch error {
            case .notConnected, .needsReauth, .organizationDeactivated, .misconfigured, .consentRequired,
                .tenantRefused:
                throw Problem.conflict(error.description)
            case .providerUnavailable, .rejected: throw Problem.badGateway(error.description)
            }
        }
        try await identity.audit.record(
            caller.auditEvent("oauth.refresh", targetKind: "oauth_connection", targetID: connection.name))
        return .ok(.init(body: .json(.init(try await self.connection(named: input.path.name)))))
    }

    func completeOAuthAuthorization(_ input: Operations.CompleteOAuthAuthorization.Input) async throws
        -> Operations.CompleteOAuthAuthorization.Output
    {
        // A person's browser coming back from an authorization started in the console returns to the console, with
        // the outcome in the address; admin consent (answered by a customer's admin, without a console session) and
        // every client keep the JSON answers.
        var redeemed: PostgresOAuthStateRepository.Redeemed?
        do {
            let output = try await completeAuthorization(input) { redeemed = $0 }
            guard BrowserHeaders.isPageNavigation, redeemed?.consentTenant == nil, case .ok(let ok) = output,
                case .json(let connection) = ok.body
            else { return output }
            return .seeOther(
                .init(
                    headers: .init(
                        location: Self.consolePage(["connected": connection.name]), setCookie: ok.headers.setCookie)))
        } catch let problem as Problem where BrowserHeaders.isPageNavigation && redeemed?.consentTenant == nil {
            return .seeOther(
                .init(headers: .init(location: Self.consolePage(["error": problem.detail ?? problem.title]))))
        }
    }

    /// The console's OAuth page, with `query` after its route.
    private static func consolePage(_ query: [String: String]) -> String {
        var components = URLComponents()
        components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return "/console#/admin/oauth" + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    private func completeAuthorization(
        _ input: Operations.CompleteOAuthAuthorization.Input,
        redeeming: (PostgresOAuthStateRepository.Redeemed) -> Void
    ) async throws -> Operations.CompleteOAuthAuthorization.Output {
        // The state is redeemed first, whatever else is wrong, so it can never be used twice.
        guard let state = input.query.state, let redeemed = try await oauth.states.redeem(state) else {
            throw Problem.badRequest(
                "The authorization state is unknown or was already used; start the authorization again.")
        }
        redeeming(redeemed)
        // An admin-consent request is answered by the customer tenant's admin, usually in another browser than the
        // one that asked for the address: the single-use state alone completes it. What it records is only the
        // answer the provider relayed, for the tenant asked; tokens are still issued by the provider alone.
        if let tenant = redeemed.consentTenant {
            guard !redeemed.isExpired else {
                throw Problem.badRequest("The consent request has expired; ask for a new consent address.")
            }
            let connection = try await completeAdminConsent(redeemed, tenant: tenant, query: input.query)
            return .ok(
                .init(
                    headers: .init(setCookie: oauth.stateCookie.expiring(for: state)), body: .json(.init(connection))
                ))
        }
        // Only whoever started the authorization completes it: their browser (the cookie set when they started it)
        // or their own credentials. Anyone else following a crafted link would connect the starter's connection to
        // their own account.
        let caller = RequestIdentity.current
        let startedInThisBrowser =
            OAuthStateCookie.binding(for: state, in: BrowserHeaders.requestCookies)
            .map(redeemed.isBound) ?? false
        let startedByCaller =
            caller.map {
                $0.principal.kind == redeemed.startedBy.kind && $0.principal.id == redeemed.startedBy.id
            } ?? false
        guard startedInThisBrowser || startedByCaller else {
            throw Problem.forbidden(
                "This authorization was started by someone else, or in another browser; start it again from the admin interface."
            )
        }
        if let error = input.query.error {
            throw Problem.badRequest(
                "The provider refused the authorization (\(TokenRequestFailure.sanitizedErrorCode(error))); the connection is unchanged."
            )
        }
        guard !redeemed.isExpired else {
            throw Problem.badRequest("The authorization took longer than 10 minutes; start it again.")
        }
        // An organisation's user completes only their organisation's authorizations. (A platform admin has no
        // organisation of their own: a browser coming back from the provider carries no organisation header.)
        if let caller, !caller.principal.isPlatformAdmin, caller.scope.organizationID != redeemed.organizationID {
            throw Problem.forbidden("This authorization was started for another organisation.")
        }
        guard let code = input.query.code, !code.isEmpty else {
            throw Problem.badRequest("The provider sent no authorization code.")
        }
        do {
            let connected = try await oauth.broker.completeAuthorization(
                of: redeemed.connectionID, code: code, verifier: redeemed.verifier, redirectURI: oauth.redirectURL
            )
            try await identity.audit.record(
                AuditEvent(
                    organizationID: redeemed.organizationID, actorKind: redeemed.startedBy.kind,
                    actorID: redeemed.startedBy.id, actorLabel: redeemed.startedBy.label, action: "oauth.connect",
                    targetKind: "oauth_connection", targetID: connected.name
                ))
            return .ok(
                .init(
                    headers: .init(setCookie: oauth.stateCookie.expiring(for: state)), body: .json(.init(connected))
                ))
        } catch let failure as TokenRequestFailure {
            throw Problem.badGateway("The provider did not issue tokens (\(failure)); the connection is unchanged.")
        } catch let error as OAuthBrokerError {
            throw Problem.conflict(error.description)
        } catch StoreError.notFound {
            throw Problem.badRequest("The connection was deleted during the authorization.")
        }
    }

    func connection(named name: String) async throws -> OAuthConnection {
        let caller = try RequestIdentity.required()
        guard let found = try await oauth.connections.find(name, in: caller.scope) else {
            throw Problem.notFound("No OAuth connection of this scope has this name.")
        }
        return found
    }

    /// The settings of `body`, checked against the provider catalogue and the URL policy (422 naming the field).
    /// Only platform admins, in global scope, may share a connection with organisations.
    private func checkedSettings(_ body: Components.Schemas.OAuthConnectionInput, by caller: RequestIdentity)
        async throws
        -> OAuthConnectionSettings
    {
        let shared = body.sharedWithOrganizations ?? false
        if shared, caller.scope.organizationID != nil || !caller.principal.isPlatformAdmin {
            throw Problem.validation([
                .init(
                    field: "shared_with_organizations",
                    message: "only a global connection, set by a platform admin, can be shared with organisations"
                )
            ])
        }
        let settings = OAuthConnectionSettings(
            provider: body.provider, flow: body.flow == .clientCredentials ? .clientCredentials : .authorizationCode,
            clientID: body.clientId, scopes: body.scopes ?? [], tenant: body.tenant,
            tenancy: body.tenancy == .perOrganization ? .perOrganization : .single, authorizeURL: body.authorizeUrl,
            tokenURL: body.tokenUrl, sharedWithOrganizations: shared
        )
        let catalogue = oauth.broker.catalogue
        if let (field, message) = catalogue.problem(with: settings) {
            throw Problem.validation([.init(field: field, message: message)])
        }
        // The URLs an admin gives (with the tenant filled in) must point where credentials may go.
        guard let endpoints = try? catalogue.endpoints(of: settings) else {
            throw Problem.validation([.init(field: "provider", message: "is not configured")])
        }
        var errors: [Problem.FieldError] = []
        for (field, given, url) in [
            ("authorize_url", settings.authorizeURL, endpoints.authorizeURL),
            ("token_url", settings.tokenURL, endpoints.tokenURL),
        ] {
            guard given != nil, let url else { continue }
            do {
                _ = try await oauth.broker.settings.urlPolicy.check(url)
            } catch let refusal as ProviderURLPolicy.Refusal {
                errors.append(.init(field: field, message: refusal.description))
            }
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
        return settings
    }
}

extension Components.Schemas.OAuthConnection {
    init(_ connection: OAuthConnection) {
        self.init(
            name: connection.name, organizationId: connection.organizationID?.lowercasedText,
            provider: connection.provider,
            flow: connection.flow == .clientCredentials ? .clientCredentials : .authorizationCode,
            clientId: connection.clientID, scopes: connection.scopes, tenant: connection.tenant,
            tenancy: connection.tenancy == .perOrganization ? .perOrganization : .single,
            authorizeUrl: connection.authorizeURL, tokenUrl: connection.tokenURL,
            sharedWithOrganizations: connection.sharedWithOrganizations,
            status: .init(rawValue: connection.status.rawValue) ?? .failed, expiresAt: connection.expiresAt,
            lastRefreshAt: connection.lastRefreshAt, lastError: connection.lastError, createdAt: connection.createdAt,
            updatedAt: connection.updatedAt
        )
    }
}
