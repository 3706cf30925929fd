public import Foundation
public import Logging
public import PostgresNIO

/// The registry of running gateway processes, and the clean-up of runs whose process died.
///
/// Each process registers a random id at start and refreshes its heartbeat while it runs: the heartbeat is the
/// lease on every run the process holds (one write per process, however many runs). A run whose owner has not
/// been heard from for `staleAfter` is recovered by any live process.
public struct PostgresInstanceRepository: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Records that process `id` is alive (first registration or heartbeat).
    public func heartbeat(_ id: UUID) async throws {
        try await client.tracedQuery(
            """
            INSERT INTO gateway_instances (id) VALUES (\(id))
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()
            """,
            logger: logger
        )
    }

    /// Forgets processes silent for longer than `staleAfter`, with the watches of their feeds, and recovers every
    /// run held by a process that is not registered any more (see `recover`).
    /// - Returns: how many runs were recovered (closed or queued again).
    @discardableResult
    public func closeAbandonedRuns(staleAfter: Duration, reason: String) async throws -> Int {
        let seconds = Double(staleAfter.components.seconds)
        try await client.tracedQuery(
            """
            WITH departed AS (
                DELETE FROM gateway_instances WHERE heartbeat_at < now() - make_interval(secs => \(seconds))
                RETURNING id
            )
            DELETE FROM execution_watches
            WHERE instance_id NOT IN (SELECT id FROM gateway_instances) OR instance_id IN (SELECT id FROM departed)
            """,
            logger: logger
        )
        return try await recover(orphansOf: nil, running: [], grace: .zero, reason: reason)
    }

    /// Recovers the runs that live process `owner` holds in the database but no longer runs (`running` is what it
    /// runs; an outcome that could not be written, say while the database was away, leaves such a row), started
    /// more than `graceAfterStart` ago, so that a run claimed a moment ago and not yet under way is left alone.
    /// - Returns: how many runs were recovered.
    @discardableResult
    public func closeOrphanedRuns(owner: UUID, running: Set<UUID>, graceAfterStart: Duration, reason: String)
        async throws -> Int
    {
        try await recover(orphansOf: owner, running: running, grace: graceAfterStart, reason: reason)
    }

    /// Recovers the runs of unregistered processes (`orphansOf` nil) or the orphaned runs of one live process: a
    /// run that may be started again (a queued job with attempts left) goes back to `Pending`, due after a backoff
    /// that doubles with each attempt (from 5 s, at most 10 minutes), its partial log deleted; any other is closed
    /// as `Failed` with `reason`. Watchers of each run are notified (`ExecutionChannels.events`).
    private func recover(orphansOf owner: UUID?, running: Set<UUID>, grace: Duration, reason: String) async throws
        -> Int
    {
        let seconds = Double(grace.components.seconds)
        let rows = try await client.tracedQuery(
            """
            WITH recovered AS (
                UPDATE executions SET
                    status = CASE WHEN attempts < max_attempts THEN 'Pending' ELSE 'Failed' END,
                    error = CASE WHEN attempts < max_attempts THEN NULL ELSE \(reason) END,
                    finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE now() END,
                    duration_ms = CASE WHEN attempts < max_attempts THEN NULL
                        ELSE (extract(epoch FROM now() - coalesce(started_at, created_at)) * 1000)::bigint END,
                    run_after = CASE WHEN attempts < max_attempts
                                     THEN now() + make_interval(secs => least(600, 5 * 2 ^ (attempts - 1))) END,
                    owner_instance = NULL
                WHERE status IN ('Pending', 'Running') AND owner_instance IS NOT NULL
                  AND CASE WHEN \(owner)::uuid IS NULL
                           THEN owner_instance NOT IN (SELECT id FROM gateway_instances)
                           ELSE owner_instance = \(owner) AND status = 'Running'
                                AND id <> ALL(\(Array(running))::uuid[])
                                AND started_at < now() - make_interval(secs => \(seconds)) END
                RETURNING id, status
            ), forgotten AS (
                DELETE FROM execution_logs WHERE execution_id IN (SELECT id FROM recovered WHERE status = 'Pending')
            ), notified AS (\(unescaped: ExecutionChannels.notifyingEvents(of: "recovered")))
            SELECT (SELECT count(*) FROM notified) FROM recovered
            """,
            logger: logger
        )
        var recovered = 0
        for try await _ in rows { recovered += 1 }
        return recovered
    }
}
