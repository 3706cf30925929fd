import Foundation
import Logging
import PostgresNIO

/// A connection while its row is locked for an admin's change (`PostgresOAuthConnectionRepository.update`): what
/// is stored now, and the transaction's connection to write with. Refreshes do not take this lock: they hold a
/// lease (`OAuthRefreshLease`), and the change's new generation makes a refresh in progress drop its result.
struct LockedOAuthConnection: Sendable {
    let store: PostgresOAuthConnectionRepository
    /// The transaction's connection.
    let connection: PostgresConnection
    let stored: PostgresOAuthConnectionRepository.Stored

    /// The connection as stored once the lock was taken.
    var current: OAuthConnection { stored.connection }

    /// Its client secret and tokens.
    func credentials() async throws -> OAuthCredentials { try await store.open(stored) }

    /// Tells every replica, when the transaction commits, what changed.
    func notify(_ change: OAuthChange) async throws {
        try await connection.tracedQuery(
            "SELECT pg_notify(\(PostgresOAuthConnectionRepository.channel), \(change.payload))", logger: store.logger
        )
    }
}
