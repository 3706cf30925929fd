import BifrostCrypto
import BifrostRuntime
import BifrostStore
import Foundation

/// Login sessions of users signing in with a password: the admin API's `/auth/*` operations (tokens in JSON) and
/// the console's cookie session share this, so both throttle, audit and rotate refresh tokens the same way. A user
/// the console signed in through an OpenID Connect issuer gets the same kind of session (`signIn(verified:method:)`).
struct PasswordSessions: Sendable {
    /// A session's tokens: the access token, and the single-use refresh token of the same login.
    struct Issued: Sendable {
        var accessToken: String
        var refreshToken: String
        var accessLifetime: Duration
        var refreshLifetime: Duration
    }

    let identity: IdentityServices

    /// Signs `email` in with `password`: throttled per account and address before the hash is checked, compared
    /// against a decoy when the account is unknown, audited either way.
    /// - Throws: `Problem` 429 when throttled, 401 when the email, password, user or organisation do not allow it.
    func signIn(email: String, password: String) async throws -> Issued {
        let account = "account:" + email.lowercased()
        let address = RequestTrace.clientAddress.map { "address:" + $0 }
        // Counted before the password is hashed, so parallel guesses cannot all get through.
        if let wait = identity.loginThrottle.begin(account: account, address: address) {
            throw Problem.tooManyRequests(retryAfter: wait, detail: "Too many failed logins; wait before trying again.")
        }
        var outcome = LoginThrottle.Outcome.abandoned
        defer { identity.loginThrottle.finish(account: account, address: address, outcome) }
        let found = try await identity.users.credentials(forEmail: email)
        // Verify against a decoy when the account is unknown, so the answer takes as long either way.
        let hash = found?.passwordHash ?? identity.decoyPasswordHash
        let matches = try await identity.passwords.verify(password, against: hash)
        let organizationActive =
            try await found?.user.organizationID.asyncMap {
                try await identity.organizations.find($0)?.isActive == true
            } ?? true
        guard let found, found.passwordHash != nil, matches, found.user.isActive, organizationActive else {
            outcome = .failed
            try await identity.audit.record(
                AuditEvent(
                    organizationID: found?.user.organizationID, actorKind: "anonymous", actorID: found?.user.id,
                    actorLabel: email.lowercased(), action: "auth.login", outcome: "failure",
                    requestID: RequestTrace.requestID, clientAddress: RequestTrace.clientAddress
                )
            )
            throw Problem.unauthorized("The email or password is wrong.", error: "invalid_grant")
        }
        outcome = .succeeded
        let issued = try await issue(for: found.user, family: UUID())
        try await identity.audit.record(
            AuditEvent(
                organizationID: found.user.organizationID, actorKind: "user", actorID: found.user.id,
                actorLabel: found.user.email, action: "auth.login", requestID: RequestTrace.requestID,
                clientAddress: RequestTrace.clientAddress
            )
        )
        return issued
    }

    /// Starts a login of `user`, whom something other than a password has authenticated (the console's sign-in
    /// through issuer `oidc.<name>`: `method` `oidc:<name>`), audited as `auth.login` with the method as its target.
    /// The caller has checked that the user and their organisation are active.
    func signIn(verified user: User, method: String) async throws -> Issued {
        let issued = try await issue(for: user, family: UUID())
        try await identity.audit.record(
            AuditEvent(
                organizationID: user.organizationID, actorKind: "user", actorID: user.id, actorLabel: user.email,
                action: "auth.login", targetKind: "login_method", targetID: method, requestID: RequestTrace.requestID,
                clientAddress: RequestTrace.clientAddress
            )
        )
        return issued
    }

    /// Spends `refreshToken` for a new pair of the same login. A token presented twice ends its whole login.
    /// - Throws: `Problem` 401 when the token is unknown, spent, expired, or its user or login has ended.
    func refresh(_ refreshToken: String) async throws -> Issued {
        switch try await identity.refreshTokens.spend(tokenHash: SHA256Digest.hex(refreshToken)) {
        case .spent(let userID, let family):
            guard let user = try await identity.users.find(id: userID), user.isActive else {
                throw Problem.unauthorized("The refresh token's user is inactive.", error: "invalid_grant")
            }
            // Spent in a race with a logout or password change: the session has ended, so no new tokens.
            guard try await identity.refreshTokens.isLive(family: family, of: userID) else {
                throw Problem.unauthorized("The refresh token is not valid.", error: "invalid_grant")
            }
            return try await issue(for: user, family: family)
        case .reused:
            throw Problem.unauthorized(
                "This refresh token was already used; every token of its login has been revoked.",
                error: "invalid_grant"
            )
        case .invalid:
            throw Problem.unauthorized("The refresh token is not valid.", error: "invalid_grant")
        }
    }

    /// Ends the login of `refreshToken` (when given) and that of the caller's access token: their refresh tokens
    /// are revoked, and every replica refuses their access tokens from now on.
    func end(refreshToken: String?, caller: RequestIdentity?) async throws {
        if let refreshToken {
            _ = try await identity.refreshTokens.revokeFamily(containing: SHA256Digest.hex(refreshToken))
        }
        if let principal = caller?.principal, let user = principal.user, let session = principal.session {
            try await identity.refreshTokens.revoke(family: session, of: user.id)
        }
        await identity.credentialsChanged()
    }

    private func issue(for user: User, family: UUID) async throws -> Issued {
        let refresh = "bfr_" + Base64.urlSafe(SecureRandom.bytes(32))
        try await identity.refreshTokens.issue(
            userID: user.id, family: family, tokenHash: SHA256Digest.hex(refresh),
            expiresAt: Date().addingTimeInterval(TimeInterval(identity.refreshLifetime.components.seconds))
        )
        let access = try await identity.tokens.issue(userID: user.id, session: family)
        return Issued(
            accessToken: access, refreshToken: refresh, accessLifetime: identity.tokens.lifetime,
            refreshLifetime: identity.refreshLifetime)
    }
}
