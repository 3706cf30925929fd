import Bifrost
public import BifrostStore
public import Foundation
public import Logging
import Synchronization

/// Fires the catalogue's cron schedules. Every replica runs one and calls `tick(now:)` about once a minute;
/// the database decides which replica fires each slot (`PostgresScheduleRepository.fire`), so a slot fires once.
///
/// Each tick fires only the latest slot at or before `now`: after downtime the most recent missed slot runs
/// once, not every slot missed. A slot earlier than the moment the workflow was first seen never fires.
public final class WorkflowScheduler: Sendable {
    private let schedules: PostgresScheduleRepository
    private let instanceID: UUID
    private let logger: Logger
    /// Per scheduled workflow: when it was first seen, and the latest slot this process has settled.
    private let known = Mutex<[String: (firstSeen: Date, settled: Date?)]>([:])

    public init(catalogue: WorkflowCatalogue, schedules: PostgresScheduleRepository, instanceID: UUID, logger: Logger) {
        self.scheduledWorkflows = catalogue.sortedWorkflows.filter { $0.schedule != nil }
        self.schedules = schedules
        self.instanceID = instanceID
        self.logger = logger
    }

    /// The catalogue's scheduled workflows, sorted by name.
    public let scheduledWorkflows: [WorkflowEntry]

    /// Fires every slot that is due at `now` and not yet fired by any replica.
    /// - Returns: the slots this process fired, with the number of runs each queued.
    @discardableResult
    public func tick(now: Date) async -> [(slot: ScheduleSlot, runs: Int)] {
        var fired: [(slot: ScheduleSlot, runs: Int)] = []
        for entry in scheduledWorkflows {
            guard let schedule = entry.schedule else { continue }
            let name = entry.configuration.name
            do {
                let firstSeen = try await firstSeen(entry, schedule: schedule, now: now)
                guard let due = schedule.slot(atOrBefore: now), due >= firstSeen,
                    known.withLock({ $0[name]?.settled.map { due > $0 } ?? true })
                else { continue }
                let slot = ScheduleSlot(
                    workflow: name, at: due, firedBy: instanceID, input: .object(try entry.validate([:])),
                    perOrganization: entry.configuration.requiresOrganization,
                    maximumAttempts: 1 + entry.configuration.retries
                )
                if let runs = try await schedules.fire(slot) {
                    fired.append((slot, runs))
                    logger.info(
                        "Fired a scheduled slot",
                        metadata: [
                            "bifrost.workflow": "\(name)", "bifrost.schedule.slot": "\(due)",
                            "bifrost.schedule.runs": "\(runs)",
                        ])
                }
                known.withLock { $0[name]?.settled = due }
            } catch {
                logger.warning(
                    "Could not fire a scheduled slot; the next tick tries again",
                    metadata: [
                        "bifrost.workflow": "\(name)", "error.message": "\(error)",
                    ])
            }
        }
        return fired
    }

    /// When `entry` was first seen by any replica, registering it on first use.
    private func firstSeen(_ entry: WorkflowEntry, schedule: CronExpression, now: Date) async throws -> Date {
        let name = entry.configuration.name
        if let seen = known.withLock({ $0[name]?.firstSeen }) { return seen }
        let seen = try await schedules.register(workflow: name, expression: schedule.description, now: now)
        known.withLock { $0[name] = (seen, nil) }
        return seen
    }
}
