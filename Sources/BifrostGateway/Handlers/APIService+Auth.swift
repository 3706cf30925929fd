import BifrostAPI
import BifrostCrypto
import BifrostRuntime
import BifrostStore
import Foundation

extension APIService {
    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        return .ok(.init(body: .json(.init(try await sessions.signIn(email: body.email, password: body.password)))))
    }

    func refreshSession(_ input: Operations.RefreshSession.Input) async throws -> Operations.RefreshSession.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        return .ok(.init(body: .json(.init(try await sessions.refresh(body.refreshToken)))))
    }

    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        try await sessions.end(refreshToken: body.refreshToken, caller: RequestIdentity.current)
        return .noContent(.init())
    }

    /// Password sign-ins, shared with the console's cookie session.
    var sessions: PasswordSessions { PasswordSessions(identity: identity) }

    func getCurrentPrincipal(
        _ input: Operations.GetCurrentPrincipal.Input
    ) async throws -> Operations.GetCurrentPrincipal.Output {
        let current = try RequestIdentity.required()
        let principal = current.principal
        var organizationName: String?
        if let org = current.scope.organizationID {
            organizationName = try await identity.organizations.find(org)?.name
        }
        let body = Components.Schemas.CurrentPrincipal(
            kind: principal.user == nil ? .apiKey : .user,
            userId: principal.user?.id.lowercasedText,
            apiKeyId: principal.apiKey?.id.lowercasedText,
            email: principal.user?.email, name: principal.user?.name ?? principal.apiKey?.name,
            organizationId: current.scope.organizationID?.lowercasedText,
            organizationName: organizationName, role: principal.role, isPlatformAdmin: principal.isPlatformAdmin,
            scope: current.scope.organizationID?.lowercasedText ?? "global"
        )
        return .ok(.init(body: .json(body)))
    }
}

extension Components.Schemas.TokenPair {
    init(_ issued: PasswordSessions.Issued) {
        self.init(
            accessToken: issued.accessToken, refreshToken: issued.refreshToken, tokenType: .bearer,
            expiresIn: Int(issued.accessLifetime.components.seconds))
    }
}
