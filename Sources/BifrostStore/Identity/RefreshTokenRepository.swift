public import Foundation

/// Refresh tokens, stored as SHA-256 hashes; each is spent once and belongs to a family (one login).
public protocol RefreshTokenRepository: Sendable {
    /// Stores a new token of `family` for `userID`.
    func issue(userID: UUID, family: UUID, tokenHash: String, expiresAt: Date) async throws
    /// Spends a token. A token presented a second time revokes its whole family (it was stolen or replayed).
    func spend(tokenHash: String) async throws -> RefreshTokenUse
    /// Revokes every live token of the family `tokenHash` belongs to; false when the token is unknown.
    func revokeFamily(containing tokenHash: String) async throws -> Bool
    /// Revokes every token of `family` (a login session) if it is `userID`'s.
    func revoke(family: UUID, of userID: UUID) async throws
    /// Whether `family` is a login session of `userID` that has not been revoked: the session an access token
    /// carries must be, for the token to be accepted.
    func isLive(family: UUID, of userID: UUID) async throws -> Bool
}

/// What presenting a refresh token led to.
public enum RefreshTokenUse: Sendable, Equatable {
    /// The token was live and is now spent.
    case spent(userID: UUID, family: UUID)
    /// The token had been spent before: its family is now revoked.
    case reused
    /// Unknown, expired or revoked.
    case invalid
}
