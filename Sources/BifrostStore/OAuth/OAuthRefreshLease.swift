public import Foundation

/// The right to refresh one connection's tokens, held by one replica until it is released or lapses: taken and released in short
/// statements on the connection's row (`refresh_holder`, `refresh_until`), so that a refresh waiting on its provider
/// holds no pooled connection and no transaction. Every write under the lease also requires that the row's
/// `generation` is still the one the lease saw: an admin who changed the connection or connected it again
/// meanwhile wins, and the refresh's result is dropped.
public struct OAuthRefreshLease: Sendable {
    /// Who holds it (random per lease).
    public let holder: UUID
    /// Whether the connection's organisation is active (always true for a global connection).
    public let organizationIsActive: Bool
    let stored: PostgresOAuthConnectionRepository.Stored

    /// The connection as it was when the lease was taken.
    public var connection: OAuthConnection { stored.connection }
}

/// What an attempt to take a lease found.
public enum OAuthLeaseAttempt: Sendable {
    case taken(OAuthRefreshLease)
    /// Another refresh holds it.
    case held
    /// There is no such connection.
    case missing
}
