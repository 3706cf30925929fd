import BifrostStore
import Foundation

/// Whether a caller's credential still stands: its user active, its API key unrevoked and unexpired, its
/// organisation active, and for a gateway access token its login session (refresh-token family) not ended by a
/// logout, a password change or a replayed refresh token.
///
/// `AuthenticationMiddleware` asks on every credential-cache miss.
struct CredentialCheck: Sendable {
    let users: any UserRepository
    let keys: any APIKeyRepository
    let refreshTokens: any RefreshTokenRepository
    let organizations: any OrganizationLookup

    /// Why a credential no longer stands; each becomes a 401 that says no more than this.
    enum Refusal: Error, Equatable {
        case inactiveUser
        case endedSession
        case revokedKey
        case inactiveOrganization

        var detail: String {
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
    func require(_ user: User, session: UUID?) async throws {
        guard user.isActive else { throw Refusal.inactiveUser }
        if let session, try await !refreshTokens.isLive(family: session, of: user.id) { throw Refusal.endedSession }
        try await requireActive(organization: user.organizationID)
    }

    /// - Throws: `Refusal.inactiveOrganization` when `organization` is deactivated or gone.
    func requireActive(organization: UUID?) async throws {
        if let organization, try await organizations.find(organization)?.isActive != true {
            throw Refusal.inactiveOrganization
        }
    }
}
