public import Foundation
public import Logging
public import PostgresNIO

/// `RefreshTokenRepository` on PostgreSQL; spending is one atomic `UPDATE … RETURNING`.
public struct PostgresRefreshTokenRepository: RefreshTokenRepository {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func issue(userID: UUID, family: UUID, tokenHash: String, expiresAt: Date) async throws {
        try await client.tracedQuery(
            """
            INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
            VALUES (\(userID), \(family), \(tokenHash), \(expiresAt))
            """,
            logger: logger
        )
    }

    public func spend(tokenHash: String) async throws -> RefreshTokenUse {
        let spent = try await client.tracedQuery(
            """
            UPDATE refresh_tokens SET used_at = now()
            WHERE token_hash = \(tokenHash) AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
            RETURNING user_id, family_id
            """,
            logger: logger
        )
        for try await (user, family) in spent.decode((UUID, UUID).self) { return .spent(userID: user, family: family) }

        let used = try await client.tracedQuery(
            "SELECT used_at IS NOT NULL FROM refresh_tokens WHERE token_hash = \(tokenHash)", logger: logger
        )
        for try await wasUsed in used.decode(Bool.self) where wasUsed {
            _ = try await revokeFamily(containing: tokenHash)
            return .reused
        }
        return .invalid
    }

    public func revokeFamily(containing tokenHash: String) async throws -> Bool {
        let rows = try await client.tracedQuery(
            """
            WITH family AS (SELECT family_id FROM refresh_tokens WHERE token_hash = \(tokenHash))
            UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, now())
            WHERE family_id IN (SELECT family_id FROM family)
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    public func revoke(family: UUID, of userID: UUID) async throws {
        try await client.tracedQuery(
            """
            UPDATE refresh_tokens SET revoked_at = now()
            WHERE family_id = \(family) AND user_id = \(userID) AND revoked_at IS NULL
            """,
            logger: logger
        )
    }

    public func isLive(family: UUID, of userID: UUID) async throws -> Bool {
        // A revocation marks every token of the family, so one revoked token means the session has ended; a token
        // spent in a race with the revocation may have added a live one after it, which must not revive it.
        let rows = try await client.tracedQuery(
            """
            SELECT bool_and(revoked_at IS NULL) FROM refresh_tokens
            WHERE family_id = \(family) AND user_id = \(userID)
            """,
            logger: logger
        )
        for try await live in rows.decode(Bool?.self) { return live == true }
        return false
    }
}
