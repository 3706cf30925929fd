package import BifrostStore
package import Foundation

/// Whether a caller's credential still stands: its user active, its API key unrevoked and unexpired, its
/// organisation active, and for a gateway access token its login session (refresh-token family) not ended by a
/// logout, a password change or a replayed refresh token.
///
/// `AuthenticationMiddleware` asks on every credential-cache miss. A stream that outlives its request
/// (`ExecutionFeed`, `ExecutionSocket`) asks again after every credential change on any replica
/// (`untilRevoked`), and ends when the answer is no.
package struct CredentialCheck: Sendable {
    package let users: any UserRepository
    package let keys: any APIKeyRepository
    package let refreshTokens: any RefreshTokenRepository
    package let organizations: any OrganizationLookup
    /// Whose clearings announce credential changes.
    package let cache: CredentialCache

    /// Why a credential no longer stands; each becomes a 401 that says no more than this.
    package enum Refusal: Error, Equatable {
        case inactiveUser
        case endedSession
        case revokedKey
        case inactiveOrganization

        package var detail: String {
            switch self {
            case .inactiveUser: "The token's user is unknown or inactive."
            case .endedSession: "The access token's session has ended (logged out, or the password changed)."
            case .revokedKey: "The API key is unknown, revoked or expired."
            case .inactiveOrganization: "The caller's organisation is deactivated."
            }
        }
    }

    /// - Parameter session: the login session of the gateway token that named `user`; nil for an Entra ID token.
    /// - Throws: `Refusal` when `user`, as just read, may not act with this credential.
    package func require(_ user: User, session: UUID?) async throws {
        guard user.isActive else { throw Refusal.inactiveUser }
        if let session, try await !refreshTokens.isLive(family: session, of: user.id) { throw Refusal.endedSession }
        try await requireActive(organization: user.organizationID)
    }

    /// - Throws: `Refusal.inactiveOrganization` when `organization` is deactivated or gone.
    package func requireActive(organization: UUID?) async throws {
        if let organization, try await organizations.find(organization)?.isActive != true {
            throw Refusal.inactiveOrganization
        }
    }

    /// Why `principal`'s credential no longer stands, read afresh from the database (never from the cache); nil
    /// while it stands.
    package func refusal(of principal: Principal) async throws -> Refusal? {
        do {
            switch principal.credential {
            case .user(let user):
                guard let current = try await users.find(id: user.id) else { return .inactiveUser }
                try await require(current, session: principal.session)
            case .apiKey(let key):
                guard try await keys.isLive(key.id) else { return .revokedKey }
                try await requireActive(organization: key.organizationID)
            }
            return nil
        } catch let refusal as Refusal {
            return refusal
        }
    }

    /// Returns once `principal`'s credential no longer stands: checked at once, then again after every credential
    /// change on any replica (`CredentialCache.changes`). Also returns when the task is cancelled. A check that
    /// cannot be made (the database is away) leaves the credential standing until the next change.
    package func untilRevoked(_ principal: Principal) async {
        // Watch before the first check, so that no change between the two goes unseen.
        let changes = cache.changes()
        if await isRevoked(principal) { return }
        for await _ in changes {
            if await isRevoked(principal) { return }
        }
    }

    /// Whether a check finds `principal`'s credential refused; false when the check itself failed.
    private func isRevoked(_ principal: Principal) async -> Bool {
        (try? await refusal(of: principal)) != nil
    }
}
