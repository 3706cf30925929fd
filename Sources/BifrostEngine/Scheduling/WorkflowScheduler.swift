import Bifrost
public import BifrostStore
import BifrostTelemetry
public import Foundation
public import Logging
public import Metrics
import Synchronization

/// Fires the catalogue's cron schedules. Every replica runs one and calls `tick(now:)` about once a minute;
/// the database decides which replica fires each slot (`PostgresScheduleRepository.fire`), so a slot fires once.
///
/// Each tick fires only the latest slot at or before `now`: after downtime the most recent missed slot runs
/// once, not every slot missed. A slot earlier than the moment the workflow was first seen never fires. The
/// replica that fires a slot counts it (`bifrost_schedule_slots_fired_total`) and the slots skipped since the one
/// fired before it (`bifrost_schedule_slots_missed_total`).
public final class WorkflowScheduler: Sendable {
    private let schedules: PostgresScheduleRepository
    private let instanceID: UUID
    private let logger: Logger
    /// Per scheduled workflow: when it was first seen, and the latest slot this process has settled.
    private let known = Mutex<[String: (firstSeen: Date, settled: Date?)]>([:])
    private let fired: Counter
    private let missed: Counter

    /// - Parameter metrics: where fired and missed slots are counted; the default, nowhere.
    public init(
        catalogue: WorkflowCatalogue, schedules: PostgresScheduleRepository, instanceID: UUID,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) {
        self.fired = Counter(label: MetricName.scheduleSlotsFired, factory: metrics)
        self.missed = Counter(label: MetricName.scheduleSlotsMissed, factory: metrics)
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
                    self.fired.increment()
                    // The slot has fired: a failed count only leaves the metric short.
                    let skipped =
                        (try? await skippedSlots(of: name, schedule: schedule, before: due, firstSeen: firstSeen)) ?? 0
                    if skipped > 0 { missed.increment(by: skipped) }
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

    /// How many slots of `schedule` fell after the slot fired before `due` (or, if none was, at or after
    /// `firstSeen`) and before `due`: slots no replica fired, because none was running or ticking. Counted up to
    /// `maximumCounted`, so that a schedule every minute after a long outage costs a bounded loop.
    private func skippedSlots(of name: String, schedule: CronExpression, before due: Date, firstSeen: Date)
        async throws -> Int
    {
        let previous = try await schedules.lastFired(name, before: due)
        var next =
            previous.flatMap { schedule.slot(after: $0) } ?? schedule.slot(after: firstSeen.addingTimeInterval(-60))
        var skipped = 0
        while let slot = next, slot < due, skipped < Self.maximumCounted {
            if slot >= firstSeen { skipped += 1 }
            next = schedule.slot(after: slot)
        }
        return skipped
    }

    /// The most missed slots counted at once (a week of a schedule every minute).
    private static let maximumCounted = 10_080

    /// When `entry` was first seen by any replica, registering it on first use.
    private func firstSeen(_ entry: WorkflowEntry, schedule: CronExpression, now: Date) async throws -> Date {
        let name = entry.configuration.name
        if let seen = known.withLock({ $0[name]?.firstSeen }) { return seen }
        let seen = try await schedules.register(workflow: name, expression: schedule.description, now: now)
        known.withLock { $0[name] = (seen, nil) }
        return seen
    }
}
