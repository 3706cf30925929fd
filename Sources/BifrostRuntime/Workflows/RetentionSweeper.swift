package import BifrostStore
import Foundation
package import Logging
import ServiceLifecycle

/// Deletes finished runs (and their logs) older than `retention`, once the schema is current and then every
/// `interval`, in batches of `batchSize` with a pause between them, so that no single statement holds many locks
/// and vacuum keeps up; the temporary files of runs that ended with their process (older than an hour); and webhook
/// deliveries and idempotency keys older than a day (replays are refused for that long; timestamps only for five
/// minutes).
/// Every replica sweeps; deleting is idempotent.
package struct RetentionSweeper: Service {
    package let executions: PostgresExecutionRepository
    package var files: PostgresFileRepository?
    package var deliveries: PostgresEndpointSecretRepository?
    package var idempotencyKeys: PostgresIdempotencyKeyRepository?
    package let retention: Duration
    package let schema: SchemaState
    package let logger: Logger
    package var interval: Duration = .seconds(3_600)
    package var batchSize = 1_000

    package init(
        executions: PostgresExecutionRepository, files: PostgresFileRepository? = nil,
        deliveries: PostgresEndpointSecretRepository? = nil,
        idempotencyKeys: PostgresIdempotencyKeyRepository? = nil, retention: Duration, schema: SchemaState,
        logger: Logger,
        interval: Duration = .seconds(3_600), batchSize: Int = 1_000
    ) {
        self.executions = executions
        self.files = files
        self.deliveries = deliveries
        self.idempotencyKeys = idempotencyKeys
        self.retention = retention
        self.schema = schema
        self.logger = logger
        self.interval = interval
        self.batchSize = batchSize
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            guard (try? await schema.waitUntilCurrent()) != nil else { return }
            while !Task.isCancelled {
                await sweep()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Deletes every expired run, a batch at a time. - Returns: how many were deleted.
    @discardableResult
    package func sweep() async -> Int {
        let cutoff = Date().addingTimeInterval(-retention.inSeconds)
        var deleted = 0
        do {
            while !Task.isCancelled {
                let batch = try await executions.deleteFinished(before: cutoff, limit: batchSize)
                deleted += batch
                guard batch == batchSize else { break }
                try await Task.sleep(for: .milliseconds(100))
            }
        } catch {
            logger.warning("Could not delete expired runs", metadata: ["error.message": "\(error)"])
        }
        if deleted > 0 { logger.info("Deleted expired runs", metadata: ["bifrost.runs": "\(deleted)"]) }
        do {
            if let orphans = try await files?.deleteOrphanedTemporaryFiles(olderThan: .seconds(3_600)), orphans > 0 {
                logger.info("Deleted temporary files of ended runs", metadata: ["bifrost.files": "\(orphans)"])
            }
        } catch {
            logger.warning("Could not delete orphaned temporary files", metadata: ["error.message": "\(error)"])
        }
        do {
            _ = try await deliveries?.forgetDeliveries(olderThan: .seconds(86_400))
            _ = try await idempotencyKeys?.sweep()
        } catch {
            logger.warning("Could not forget old webhook deliveries", metadata: ["error.message": "\(error)"])
        }
        return deleted
    }
}
