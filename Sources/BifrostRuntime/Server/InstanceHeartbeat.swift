package import BifrostStore
package import Foundation
package import Logging
import ServiceLifecycle

/// Keeps this process registered as alive and closes runs left behind by processes that died.
///
/// Every `interval` (once the schema is current) it refreshes this process's heartbeat and recovers every
/// unfinished run whose process has been silent for `staleAfter` (queued again when its workflow declares
/// retries it has left, else closed as `Failed`, "worker lost"): after a crash, a run never stays `Running` for
/// longer than about `staleAfter + interval`. Runs this process holds in the database but no longer runs (their
/// outcome could not be written) are recovered the same way, `staleAfter` after they started.
package struct InstanceHeartbeat: Service {
    package let instances: PostgresInstanceRepository
    package let instanceID: UUID
    package let schema: SchemaState
    package let logger: Logger
    /// The runs this process has under way, so that rows it holds and no longer runs are recovered too.
    package let runningIDs: @Sendable () -> Set<UUID>
    package var interval: Duration = .seconds(10)
    package var staleAfter: Duration = .seconds(60)

    package init(
        instances: PostgresInstanceRepository, instanceID: UUID, schema: SchemaState, logger: Logger,
        runningIDs: @escaping @Sendable () -> Set<UUID>, interval: Duration = .seconds(10),
        staleAfter: Duration = .seconds(60)
    ) {
        self.instances = instances
        self.instanceID = instanceID
        self.schema = schema
        self.logger = logger
        self.runningIDs = runningIDs
        self.interval = interval
        self.staleAfter = staleAfter
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            guard (try? await schema.waitUntilCurrent()) != nil else { return }
            while !Task.isCancelled {
                await beat()
                try? await Task.sleep(for: interval)
            }
        }
    }

    private func beat() async {
        do {
            try await instances.heartbeat(instanceID)
            let closed = try await instances.closeAbandonedRuns(
                staleAfter: staleAfter,
                reason: "Worker lost: the gateway process running it stopped before it finished."
            )
            if closed > 0 {
                logger.warning("Closed runs of a stopped gateway process", metadata: ["bifrost.runs": "\(closed)"])
            }
            let orphans = try await instances.closeOrphanedRuns(
                owner: instanceID, running: runningIDs(), graceAfterStart: staleAfter,
                reason: "Worker lost: its outcome could not be recorded."
            )
            if orphans > 0 {
                logger.warning("Closed runs whose outcome was lost", metadata: ["bifrost.runs": "\(orphans)"])
            }
        } catch {
            logger.warning("Heartbeat failed", metadata: ["error.message": "\(error)"])
        }
    }
}
