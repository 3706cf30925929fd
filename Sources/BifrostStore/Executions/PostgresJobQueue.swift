import Bifrost
public import Foundation
public import Logging
public import PostgresNIO
import Synchronization

/// Queued runs on PostgreSQL: the `executions` table is the queue, a `Pending` row is a job.
///
/// Workers of any number of processes claim jobs with `FOR UPDATE SKIP LOCKED`, so no job is handed to two
/// workers; a claimed job is `Running` and owned by the claiming process, whose heartbeat
/// (`PostgresInstanceRepository`) is the lease on it. Once a job is stored, the queueing process's own workers are woken
/// in memory (`onEnqueue`) and, when other processes are registered, theirs by `NOTIFY bifrost_jobs` sent in
/// the same transaction; claiming, releasing and cancelling a job notify `ExecutionChannels.events` with its
/// id, for anyone watching it.
public struct PostgresJobQueue: Sendable {
    private let client: PostgresClient
    private let logger: Logger
    private let queued: GroupCommit<QueuedJob, Void>
    private let localWakeup = LocalWakeup()

    /// - Parameter instance: the process queueing jobs (`PostgresInstanceRepository`), whose own workers need no
    ///   notification; by default one that is not registered, so every registered process is notified.
    public init(client: PostgresClient, instance: UUID = UUID(), logger: Logger) {
        self.client = client
        self.logger = logger
        queued = GroupCommit(deadline: PostgresExecutionRepository.writeDeadline) { [localWakeup] jobs in
            let statement = ExecutionStatements.Enqueue(jobs: QueuedJob.document(jobs), instance: instance)
            for try await _ in try await client.tracedExecute(statement, logger: logger) {}
            localWakeup.wake()
        }
    }

    /// Calls `wake` whenever jobs this process queued have been stored (this process's workers: other processes
    /// are notified through PostgreSQL).
    public func onEnqueue(_ wake: @escaping @Sendable () -> Void) {
        localWakeup.add(wake)
    }

    /// Records `record` as `Pending` and wakes the workers; returns once it is stored. Jobs queued at the same
    /// moment share one statement (`GroupCommit`).
    /// - Parameters:
    ///   - caller: what the run's context needs of the caller (kept with the job, for the worker).
    ///   - maximumAttempts: how often the job may be started: 1, unless the workflow declares retries.
    public func enqueue(_ record: ExecutionRecord, caller: JobCaller = JobCaller(), maximumAttempts: Int = 1)
        async throws
    {
        try await queued.submit(QueuedJob(record: record, caller: caller, maximumAttempts: maximumAttempts))
    }

    /// Claims up to `limit` jobs that are due, oldest first, for process `owner`, and returns them `Running`.
    /// - Parameter capacity: how many more runs of each organisation the process may start; jobs beyond it are
    ///   left waiting for a later claim (or another replica), not claimed and handed back.
    public func claim(owner: UUID, limit: Int, capacity: OrganizationCapacity = .unlimited) async throws -> [ClaimedJob]
    {
        try await withDeadline(PostgresExecutionRepository.writeDeadline) { [client, logger] in
            try await Self.claim(owner: owner, limit: limit, capacity: capacity, client: client, logger: logger)
        }
    }

    private static func claim(
        owner: UUID, limit: Int, capacity: OrganizationCapacity, client: PostgresClient, logger: Logger
    ) async throws -> [ClaimedJob] {
        // Candidates are locked oldest first (skipping other workers' and full organisations'), then at most each
        // organisation's remaining capacity of them is claimed. Only when some organisation has room for fewer
        // than `limit` are more candidates locked than are claimed (locking a row writes to it).
        let capped = capacity.default < limit || capacity.remaining.values.contains { $0 < limit }
        let candidates = capped ? limit * 8 + 32 : limit
        let statement = ExecutionStatements.Claim(
            owner: owner, limit: limit, candidates: candidates, capacity: capacity.document, otherwise: capacity.default
        )
        var jobs: [ClaimedJob] = []
        for try await job in try await client.tracedExecute(statement, logger: logger) { jobs.append(job) }
        return jobs
    }

    /// Cancels job `id` if no worker has claimed it yet.
    /// - Returns: false when it is not `Pending` (already running or finished).
    public func cancelPending(_ id: UUID) async throws -> Bool {
        let rows = try await client.tracedQuery(
            """
            WITH cancelled AS (
                UPDATE executions SET status = 'Cancelled', error = 'The run was cancelled before it started.',
                    finished_at = now(), duration_ms = 0
                WHERE id = \(id) AND status = 'Pending' RETURNING id
            ), notified AS (\(unescaped: ExecutionChannels.notifyingEvents(of: "cancelled")))
            SELECT (SELECT count(*) FROM notified) FROM cancelled
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    /// Cancels every job of `organization` that no worker has claimed yet: it was deactivated, and its runs are
    /// not to start (a claim skips a deactivated organisation's jobs too, so one queued in a race with the
    /// deactivation waits, `Pending`, until the organisation is reactivated). - Returns: how many.
    public func cancelPending(in organization: UUID) async throws -> Int {
        let rows = try await client.tracedQuery(
            """
            WITH cancelled AS (
                UPDATE executions SET status = 'Cancelled',
                    error = 'The run was cancelled before it started: its organisation was deactivated.',
                    finished_at = now(), duration_ms = 0
                WHERE organization_id = \(organization) AND status = 'Pending' RETURNING id
            ), notified AS (\(unescaped: ExecutionChannels.notifyingWatchers(of: "cancelled")))
            SELECT (SELECT count(*) FROM cancelled), (SELECT count(*) FROM notified)
            """,
            logger: logger
        )
        for try await (count, _) in rows.decode((Int, Int).self) { return count }
        return 0
    }

    /// Puts jobs this process claimed but did not run (or stopped, shutting down) back in the queue, as if
    /// never claimed: `Pending`, the attempt not counted, their partial log deleted (the next attempt logs anew).
    public func release(_ ids: [UUID], owner: UUID) async throws {
        guard !ids.isEmpty else { return }
        try await client.tracedQuery(
            """
            WITH released AS (
                UPDATE executions SET status = 'Pending', owner_instance = NULL, started_at = NULL,
                    attempts = greatest(attempts - 1, 0)
                WHERE id = ANY(\(ids)::uuid[]) AND owner_instance = \(owner) AND status = 'Running'
                RETURNING id
            ), forgotten AS (
                DELETE FROM execution_logs WHERE execution_id IN (SELECT id FROM released)
            ), notified AS (\(unescaped: ExecutionChannels.notifyingEvents(of: "released")))
            SELECT pg_notify(\(ExecutionChannels.jobs), ''), (SELECT count(*) FROM notified) FROM released LIMIT 1
            """,
            logger: logger
        )
    }

    /// How many jobs wait, deployment-wide, and how long the oldest due one has waited: one read of the queue's
    /// partial index (`executions_queue_idx`), for the queue gauges. A retry waiting for its backoff counts as
    /// waiting from the end of that backoff.
    public func depth() async throws -> QueueDepth {
        let rows = try await client.tracedQuery(
            """
            SELECT count(*)::bigint,
                   coalesce(extract(epoch FROM now() - min(coalesce(run_after, created_at)))::float8, 0)
            FROM executions WHERE status = 'Pending'
            """,
            logger: logger
        )
        for try await (pending, oldest) in rows.decode((Int64, Double).self) {
            return QueueDepth(pending: Int(pending), oldestPendingAge: max(0, oldest))
        }
        return QueueDepth(pending: 0, oldestPendingAge: 0)
    }

    /// Asks whichever replica runs `id` to cancel it (`ExecutionChannels.cancel`).
    public func requestCancellation(_ id: UUID) async throws {
        try await client.tracedQuery("SELECT pg_notify(\(ExecutionChannels.cancel), \(id.uuidString))", logger: logger)
    }
}

/// What wakes this process's workers when it queues jobs itself.
private final class LocalWakeup: Sendable {
    private let handlers = Mutex<[@Sendable () -> Void]>([])

    func add(_ handler: @escaping @Sendable () -> Void) { handlers.withLock { $0.append(handler) } }

    func wake() {
        for handler in handlers.withLock({ $0 }) { handler() }
    }
}
