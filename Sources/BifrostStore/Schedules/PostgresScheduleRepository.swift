import Bifrost
public import Foundation
public import Logging
public import PostgresNIO

/// Cron schedules on PostgreSQL: when each scheduled workflow was first seen, and which slots have fired.
///
/// A slot fires exactly once across replicas because its row in `schedule_slots` is unique: every replica
/// that finds the slot due tries to insert it, and the statement that inserts it also queues the slot's runs.
public struct PostgresScheduleRepository: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Records that `workflow` runs on `expression`, first seen at `now` unless seen before.
    /// - Returns: when it was first seen: slots before that moment are not fired.
    public func register(workflow: String, expression: String, now: Date) async throws -> Date {
        let rows = try await client.tracedQuery(
            """
            INSERT INTO schedules (workflow, expression, first_seen) VALUES (\(workflow), \(expression), \(now))
            ON CONFLICT (workflow) DO UPDATE SET expression = excluded.expression
            RETURNING first_seen
            """,
            logger: logger
        )
        for try await firstSeen in rows.decode(Date.self) { return firstSeen }
        return now
    }

    /// Fires `slot` unless a replica has already: queues its runs (`Pending`, woken by `NOTIFY bifrost_jobs`).
    /// - Returns: how many runs it queued, or nil when the slot had already fired.
    public func fire(_ slot: ScheduleSlot) async throws -> Int? {
        let rows = try await client.tracedQuery(
            """
            WITH targets AS (
                SELECT id FROM organizations WHERE is_active AND \(slot.perOrganization)
                UNION ALL SELECT NULL::uuid WHERE NOT \(slot.perOrganization)
            ), slot AS (
                INSERT INTO schedule_slots (workflow, slot_at, fired_by, runs)
                SELECT \(slot.workflow), \(slot.at), \(slot.firedBy), count(*) FROM targets
                ON CONFLICT DO NOTHING
                RETURNING slot_at, runs
            ), queued AS (
                INSERT INTO executions (id, workflow, organization_id, status, input, started_by, created_at,
                                        max_attempts, caller, schedule_slot)
                SELECT gen_random_uuid(), \(slot.workflow), targets.id, 'Pending', \(slot.input.jsonText)::jsonb,
                       'schedule', now(), \(slot.maximumAttempts), \(JobCaller().json.jsonText)::jsonb, slot.slot_at
                FROM slot CROSS JOIN targets
            )
            SELECT runs, pg_notify(\(ExecutionChannels.jobs), '') FROM slot
            """,
            logger: logger
        )
        for try await (runs, _) in rows.decode((Int32, String).self) { return Int(runs) }
        return nil
    }

    /// The latest slot of `workflow` fired before `date` by any replica; nil when none was.
    public func lastFired(_ workflow: String, before date: Date) async throws -> Date? {
        let rows = try await client.tracedQuery(
            "SELECT max(slot_at) FROM schedule_slots WHERE workflow = \(workflow) AND slot_at < \(date)",
            logger: logger
        )
        for try await last in rows.decode(Date?.self) { return last }
        return nil
    }

    /// The last slot each scheduled workflow fired, with the status of that slot's newest run `visibility` shows.
    public func lastSlots(_ visibility: Visibility) async throws -> [String: FiredSlot] {
        let (everything, organization) = visibility.filter
        let rows = try await client.tracedQuery(
            """
            SELECT last.workflow, last.slot_at, run.status
            FROM (SELECT DISTINCT ON (workflow) workflow, slot_at FROM schedule_slots
                  ORDER BY workflow, slot_at DESC) AS last
            LEFT JOIN LATERAL (
                SELECT status FROM executions
                WHERE workflow = last.workflow AND schedule_slot = last.slot_at
                  AND (\(everything) OR organization_id IS NOT DISTINCT FROM \(organization))
                ORDER BY created_at DESC LIMIT 1
            ) AS run ON true
            """,
            logger: logger
        )
        var slots: [String: FiredSlot] = [:]
        for try await (workflow, at, status) in rows.decode((String, Date, String?).self) {
            slots[workflow] = FiredSlot(at: at, lastStatus: status.flatMap(ExecutionStatus.init(rawValue:)))
        }
        return slots
    }
}
