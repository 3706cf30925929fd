import Bifrost
import Foundation
import PostgresNIO

/// The statements that record runs, prepared once per connection so PostgreSQL plans them once rather
/// than for every run.
enum ExecutionStatements {
    /// Inserts a `Running` row (its one attempt under way: a synchronous run is never started again), unless
    /// the run has already been recorded (finished in the meantime).
    struct Start: PostgresPreparedStatement {
        /// Given, so that each execution does not derive the name from the type again.
        static let name = "bifrost_start_run"
        static let sql = """
            INSERT INTO executions (id, workflow, organization_id, status, input, started_by_user, started_by_key,
                                    started_by, owner_instance, created_at, started_at, attempts)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, 1)
            ON CONFLICT (id) DO NOTHING
            """
        typealias Row = Void
        /// Declared, so that the JSON text in `$5` is sent as text and cast by the server.
        static let bindingDataTypes: [PostgresDataType] = [
            .uuid, .text, .uuid, .text, .text, .uuid, .uuid, .text, .uuid, .timestamptz, .timestamptz,
        ]

        var record: ExecutionRecord
        var input: String
        var owner: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 11)
            bindings.append(record.id)
            bindings.append(record.workflow)
            bindings.append(record.organizationID)
            bindings.append(record.status.rawValue)
            bindings.append(input)
            bindings.append(record.startedBy.userID)
            bindings.append(record.startedBy.apiKeyID)
            bindings.append(record.startedBy.label)
            bindings.append(owner)
            bindings.append(record.createdAt)
            bindings.append(record.startedAt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    /// Records the outcomes of several runs and inserts their log lines, atomically (one statement).
    ///
    /// A run whose row exists (a `Running` row written while it ran, a queued run) has its outcome filled in,
    /// unless it already has one (its `owner_instance` stays: the replica that ran it), and its watchers, if it has any, are notified (`ExecutionChannels.events`); any
    /// other run (a quick one nobody could have watched) is inserted whole. Lines already written while
    /// the run went on are skipped. The runs travel as one JSON document, so a batch of any size is one bind
    /// parameter and one plan.
    struct Finish: PostgresPreparedStatement {
        /// Given, so that each execution does not derive the name from the type again.
        static let name = "bifrost_finish_runs"
        static let sql = """
            WITH run AS (
                SELECT * FROM json_to_recordset($1::json) AS run(
                    id uuid, workflow text, organization_id uuid, status text, input jsonb, result jsonb, error text,
                    started_by_user uuid, started_by_key uuid, started_by text, created_at float8, started_at float8,
                    finished_at float8, duration_ms bigint, trace_id text, logs json)
            ), saved AS (
                INSERT INTO executions AS existing (id, workflow, organization_id, status, input, result, error,
                    started_by_user, started_by_key, started_by, created_at, started_at, finished_at, duration_ms,
                    trace_id)
                SELECT id, workflow, organization_id, status, input, result, error, started_by_user,
                       started_by_key, started_by, to_timestamp(created_at), to_timestamp(started_at),
                       to_timestamp(finished_at), duration_ms, trace_id
                FROM run
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, result = excluded.result,
                    error = excluded.error, started_at = coalesce(existing.started_at, excluded.started_at),
                    finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
                    trace_id = coalesce(excluded.trace_id, existing.trace_id)
                WHERE existing.status IN ('Pending', 'Running')
                RETURNING id, NOT (xmax = 0) AS existed
            ), logged AS (
                INSERT INTO execution_logs (execution_id, sequence, level, message, logged_at)
                SELECT run.id, line.sequence, line.level, line.message, to_timestamp(line.logged_at)
                FROM run JOIN saved USING (id)
                     CROSS JOIN LATERAL json_to_recordset(run.logs) AS line(sequence integer, level text,
                                                                            message text, logged_at float8)
                ON CONFLICT DO NOTHING
            ), existing AS (SELECT id FROM saved WHERE existed)
            \(ExecutionChannels.notifyingWatchers(of: "existing"))
            """
        typealias Row = Void
        static let bindingDataTypes: [PostgresDataType] = [.text]

        /// The runs, as `FinishedRun.document` JSON.
        var runs: UTF8Text

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(runs)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    /// Queues several jobs (`Pending` rows) and, if any process other than `instance` is registered, wakes the
    /// workers of every process (`ExecutionChannels.jobs`), in one statement (the queueing process wakes its own
    /// in memory: a notification costs the commit PostgreSQL's notification lock and every listener a wake-up).
    /// The jobs travel as one JSON document (`QueuedJob.document`).
    struct Enqueue: PostgresPreparedStatement {
        /// Given, so that each execution does not derive the name from the type again.
        static let name = "bifrost_enqueue_jobs"
        static let sql = """
            WITH job AS (
                INSERT INTO executions (id, workflow, organization_id, status, input, started_by_user, started_by_key,
                                        started_by, created_at, max_attempts, caller)
                SELECT id, workflow, organization_id, 'Pending', input, started_by_user, started_by_key, started_by,
                       to_timestamp(created_at), max_attempts, caller
                FROM json_to_recordset($1::json) AS job(
                    id uuid, workflow text, organization_id uuid, input jsonb, started_by_user uuid,
                    started_by_key uuid, started_by text, created_at float8, max_attempts integer, caller jsonb)
                RETURNING id
            )
            SELECT pg_notify('\(ExecutionChannels.jobs)', '') FROM job
            WHERE EXISTS (SELECT 1 FROM gateway_instances WHERE id <> $2) LIMIT 1
            """
        typealias Row = Void
        static let bindingDataTypes: [PostgresDataType] = [.text, .uuid]
        /// The jobs, as `QueuedJob.document` JSON.
        var jobs: UTF8Text
        /// The queueing process.
        var instance: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(jobs)
            bindings.append(instance)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    /// Claims due jobs for a process (see `PostgresJobQueue.claim`): locks up to `candidates` of them oldest
    /// first (skipping other workers' and full organisations'), takes at most each organisation's remaining
    /// capacity of them, at most `limit` in all, sets them `Running`, and notifies their watchers. The work is
    /// the function `bifrost_claim_jobs` (migration 0015, last redefined by 0021), planned with sequential scans off: a plan this
    /// connection chose while the table was nearly empty would otherwise scan the whole queue for every claim.
    struct Claim: PostgresPreparedStatement {
        /// Given, so that each execution does not derive the name from the type again.
        static let name = "bifrost_claim_jobs"
        static let sql = "SELECT * FROM bifrost_claim_jobs($1::jsonb, $2::int, $3, $4, $5)"
        typealias Row = ClaimedJob
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8, .int8, .uuid]
        var owner: UUID
        var limit: Int
        var candidates: Int
        /// Remaining capacity by organisation, as `OrganizationCapacity.document` JSON.
        var capacity: String
        var otherwise: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(capacity)
            bindings.append(otherwise)
            bindings.append(candidates)
            bindings.append(limit)
            bindings.append(owner)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (id, workflow, organization, input, user, key, label, created, started, attempt, caller, _) =
                try row.decode(
                    (UUID, String, UUID?, String, UUID?, UUID?, String, Date, Date, Int32, String?, Int).self
                )
            let record = ExecutionRecord(
                id: id, workflow: workflow, organizationID: organization, status: .running,
                input: try JSONValue(parsing: input),
                startedBy: ExecutionActor(userID: user, apiKeyID: key, label: label),
                createdAt: created, startedAt: started
            )
            return ClaimedJob(
                record: record, caller: try caller.map { JobCaller(try JSONValue(parsing: $0)) } ?? JobCaller(),
                attempt: Int(attempt))
        }
    }
}
