import BifrostAPI
import BifrostCrypto
import BifrostRuntime
import BifrostStore
import Foundation

extension APIService {
    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let account = "account:" + body.email.lowercased()
        let address = RequestTrace.clientAddress.map { "address:" + $0 }
        // Counted before the password is hashed, so parallel guesses cannot all get through.
        if let wait = identity.loginThrottle.begin(account: account, address: address) {
            throw Problem.tooManyRequests(retryAfter: wait, detail: "Too many failed logins; wait before trying again.")
        }
        var outcome = LoginThrottle.Outcome.abandoned
        defer { identity.loginThrottle.finish(account: account, address: address, outcome) }
        let found = try await identity.users.credentials(forEmail: body.email)
        // Verify against a decoy when the account is unknown, so the answer takes as long either way.
        let hash = found?.passwordHash ?? identity.decoyPasswordHash
        let matches = try await identity.passwords.verify(body.password, against: hash)
        let organizationActive =
            try await found?.user.organizationID.asyncMap {
                try await identity.organizations.find($0)?.isActive == true
            } ?? true
        guard let found, found.passwordHash != nil, matches, found.user.isActive, organizationActive else {
            outcome = .failed
            try await identity.audit.record(
                AuditEvent(
                    organizationID: found?.user.organizationID, actorKind: "anonymous", actorID: found?.user.id,
                    actorLabel: body.email.lowercased(), action: "auth.login", outcome: "failure",
                    requestID: RequestTrace.requestID, clientAddress: RequestTrace.clientAddress
                )
            )
            throw Problem.unauthorized("The email or password is wrong.", error: "invalid_grant")
        }
        outcome = .succeeded
        let pair = try await issueTokens(for: found.user, family: UUID())
        try await identity.audit.record(
            AuditEvent(
                organizationID: found.user.organizationID, actorKind: "user", actorID: found.user.id,
                actorLabel: found.user.email, action: "auth.login", requestID: RequestTrace.requestID,
                clientAddress: RequestTrace.clientAddress
            )
        )
        return .ok(.init(body: .json(pair)))
    }

    func refreshSession(_ input: Operations.RefreshSession.Input) async throws -> Operations.RefreshSession.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        switch try await identity.refreshTokens.spend(tokenHash: SHA256Digest.hex(body.refreshToken)) {
        case .spent(let userID, let family):
            guard let user = try await identity.users.find(id: userID), user.isActive else {
                throw Problem.unauthorized("The refresh token's user is inactive.", error: "invalid_grant")
            }
            // Spent in a race with a logout or password change: the session has ended, so no new tokens.
            guard try await identity.refreshTokens.isLive(family: family, of: userID) else {
                throw Problem.unauthorized("The refresh token is not valid.", error: "invalid_grant")
            }
            return .ok(.init(body: .json(try await issueTokens(for: user, family: family))))
        case .reused:
            throw Problem.unauthorized(
                "This refresh token was already used; every token of its login has been revoked.",
                error: "invalid_grant"
            )
        case .invalid:
            throw Problem.unauthorized("The refresh token is not valid.", error: "invalid_grant")
        }
    }

    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        _ = try await identity.refreshTokens.revokeFamily(containing: SHA256Digest.hex(body.refreshToken))
        // The access token the logout came with ends too, with its session (usually the same one).
        if let caller = RequestIdentity.current?.principal, let user = caller.user, let session = caller.session {
            try await identity.refreshTokens.revoke(family: session, of: user.id)
        }
        // Every replica forgets the tokens it verified, so the ended session's access tokens fail at once.
        await identity.credentialsChanged()
        return .noContent(.init())
    }

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
            userId: principal.user?.id.uuidString.lowercased(),
            apiKeyId: principal.apiKey?.id.uuidString.lowercased(),
            email: principal.user?.email, name: principal.user?.name ?? principal.apiKey?.name,
            organizationId: current.scope.organizationID?.uuidString.lowercased(),
            organizationName: organizationName, role: principal.role, isPlatformAdmin: principal.isPlatformAdmin,
            scope: current.scope.organizationID?.uuidString.lowercased() ?? "global"
        )
        return .ok(.init(body: .json(body)))
    }

    private func issueTokens(for user: User, family: UUID) async throws -> Components.Schemas.TokenPair {
        let refresh = "bfr_" + Base64.urlSafe(SecureRandom.bytes(32))
        try await identity.refreshTokens.issue(
            userID: user.id, family: family, tokenHash: SHA256Digest.hex(refresh),
            expiresAt: Date().addingTimeInterval(TimeInterval(identity.refreshLifetime.components.seconds))
        )
        let access = try await identity.tokens.issue(userID: user.id, session: family)
        return .init(
            accessToken: access, refreshToken: refresh, tokenType: .bearer,
            expiresIn: Int(identity.tokens.lifetime.components.seconds)
        )
    }
}
