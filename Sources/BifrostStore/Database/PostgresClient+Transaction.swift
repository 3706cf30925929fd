import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction (committed when it returns, rolled back when it throws), throwing what went
    /// wrong itself rather than PostgresNIO's `PostgresTransactionError` wrapper, so callers can match it.
    func transaction<Result>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }
}
