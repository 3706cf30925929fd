import Bifrost
public import Foundation
public import Logging
public import PostgresNIO

/// Workflow runs and their logs on PostgreSQL.
///
/// A run is written once, when it ends: its outcome and its whole log in one statement, batched with the
/// outcomes of other runs ending at the same time (`GroupCommit`). A run that lasts long enough to be watched
/// or cancelled is also written as `Running` while it runs (`start`).
public struct PostgresExecutionRepository: Sendable {
    private let client: PostgresClient
    private let logger: Logger
    private let outcomes: GroupCommit<FinishedRun, Void>

    /// Longest a write may take before it is given up (and retried by its caller): a statement on a connection
    /// that died silently would otherwise never return.
    static let writeDeadline: Duration = .seconds(10)

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        outcomes = GroupCommit(deadline: Self.writeDeadline) { runs in
            let statement = ExecutionStatements.Finish(runs: FinishedRun.document(runs))
            for try await _ in try await client.tracedExecute(statement, logger: logger) {}
        }
    }

    /// Records a run as `Running`, owned by the gateway process `owner` (nothing, if it has already finished).
    public func start(_ record: ExecutionRecord, owner: UUID) async throws {
        let statement = ExecutionStatements.Start(record: record, input: record.input.storableJSONText, owner: owner)
        try await withDeadline(Self.writeDeadline) { [client, logger] in
            for try await _ in try await client.tracedExecute(statement, logger: logger) {}
        }
    }

    /// Records how a run ended, with its whole log, atomically; returns once it is stored.
    public func finish(_ record: ExecutionRecord, logs: [ExecutionLogLine]) async throws {
        try await outcomes.submit(FinishedRun(record: record, logs: logs))
    }

    /// The run with this id, if `visibility` shows it.
    public func get(_ id: UUID, _ visibility: ExecutionVisibility) async throws -> ExecutionRecord? {
        let rows = try await client.tracedQuery(
            "SELECT \(unescaped: Self.columns) FROM executions WHERE id = \(id) AND \(runsVisibleTo: visibility)",
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return try Self.record(row) }
        return nil
    }

    /// Runs `visibility` shows, newest first, filtered and paged by `query`.
    public func list(_ visibility: ExecutionVisibility, _ query: ExecutionQuery) async throws -> [ExecutionRecord] {
        let rows = try await client.tracedQuery(
            """
            SELECT \(unescaped: Self.columns) FROM executions
            WHERE \(runsVisibleTo: visibility)
              AND (\(query.workflow)::text IS NULL OR workflow = \(query.workflow))
              AND (\(query.status?.rawValue)::text IS NULL OR status = \(query.status?.rawValue))
              AND (\(query.since)::timestamptz IS NULL OR created_at >= \(query.since))
              AND (\(query.until)::timestamptz IS NULL OR created_at < \(query.until))
              AND (\(query.after?.createdAt)::timestamptz IS NULL
                   OR (created_at, id) < (\(query.after?.createdAt), \(query.after?.id)))
            ORDER BY created_at DESC, id DESC LIMIT \(query.limit)
            """,
            logger: logger
        )
        var records: [ExecutionRecord] = []
        for try await row in rows.decode(Row.self) { records.append(try Self.record(row)) }
        return records
    }

    /// The log of a run `visibility` shows (nil if it does not), without debug lines unless asked.
    public func logs(of id: UUID, _ visibility: ExecutionVisibility, includeDebug: Bool) async throws
        -> [ExecutionLogLine]?
    {
        guard try await get(id, visibility) != nil else { return nil }
        return try await lines(of: id, after: 0, includeDebug: includeDebug)
    }

    /// A run `visibility` shows (nil if it does not) with its log lines after line `sequence`, read together for
    /// a stream of its progress.
    public func progress(of id: UUID, _ visibility: ExecutionVisibility, after sequence: Int, includeDebug: Bool)
        async throws -> (record: ExecutionRecord, lines: [ExecutionLogLine])?
    {
        guard let record = try await get(id, visibility) else { return nil }
        return (record, try await lines(of: id, after: sequence, includeDebug: includeDebug))
    }

    /// Registers feed `watch` of process `instance` as a watcher of run `id`, if `visibility` shows it, and returns
    /// the run with its log lines after line `sequence` (nil if it does not show it). The run is read `FOR SHARE`,
    /// so a statement changing it at that moment is waited for and its change read here; any later change
    /// notifies the run's watchers (`ExecutionChannels.events`) even when the statement making it notifies only
    /// watched runs (migration 0016).
    public func watch(
        _ id: UUID, _ visibility: ExecutionVisibility, as watch: UUID, instance: UUID, after sequence: Int,
        includeDebug: Bool
    ) async throws -> (record: ExecutionRecord, lines: [ExecutionLogLine])? {
        let rows = try await client.tracedQuery(
            """
            WITH visible AS (
                SELECT \(unescaped: Self.columns) FROM executions WHERE id = \(id) AND \(runsVisibleTo: visibility)
                FOR SHARE
            ), registered AS (
                INSERT INTO execution_watches (id, execution_id, instance_id)
                SELECT \(watch), id, \(instance) FROM visible
            )
            SELECT * FROM visible
            """,
            logger: logger
        )
        var record: ExecutionRecord?
        for try await row in rows.decode(Row.self) { record = try Self.record(row) }
        guard let record else { return nil }
        return (record, try await lines(of: id, after: sequence, includeDebug: includeDebug))
    }

    /// Forgets feed `watch` (see `watch(_:_:as:instance:after:includeDebug:)`).
    public func unwatch(_ watch: UUID) async throws {
        try await client.tracedQuery("DELETE FROM execution_watches WHERE id = \(watch)", logger: logger)
    }

    /// Writes log lines of a run that is still going, and notifies its watchers (`ExecutionChannels.events`).
    /// Lines already written are skipped, so writing a line twice is harmless.
    public func appendLogs(of id: UUID, _ lines: [ExecutionLogLine]) async throws {
        guard !lines.isEmpty else { return }
        try await withDeadline(Self.writeDeadline) { [client, logger] in
            try await Self.append(lines, of: id, client: client, logger: logger)
        }
    }

    private static func append(_ lines: [ExecutionLogLine], of id: UUID, client: PostgresClient, logger: Logger)
        async throws
    {
        try await client.tracedQuery(
            """
            WITH logged AS (
                INSERT INTO execution_logs (execution_id, sequence, level, message, logged_at)
                SELECT \(id), line.sequence, line.level, line.message, to_timestamp(line.logged_at)
                FROM json_to_recordset(\(FinishedRun.document(lines))::json)
                     AS line(sequence integer, level text, message text, logged_at float8)
                ON CONFLICT DO NOTHING
            )
            SELECT pg_notify(\(ExecutionChannels.events), \(id.lowercasedText))
            """,
            logger: logger
        )
    }

    /// Deletes up to `limit` finished runs (with their logs) created before `cutoff`, and fired schedule slots
    /// older than it except each workflow's latest. - Returns: how many runs were deleted.
    public func deleteFinished(before cutoff: Date, limit: Int) async throws -> Int {
        let rows = try await client.tracedQuery(
            """
            WITH doomed AS (
                SELECT id FROM executions
                WHERE created_at < \(cutoff) AND status NOT IN ('Pending', 'Running')
                ORDER BY created_at LIMIT \(limit)
            ), deleted AS (
                DELETE FROM executions WHERE id IN (SELECT id FROM doomed) RETURNING id
            ), slots AS (
                DELETE FROM schedule_slots AS slot WHERE slot_at < \(cutoff)
                  AND slot_at < (SELECT max(slot_at) FROM schedule_slots AS later WHERE later.workflow = slot.workflow)
            )
            SELECT count(*) FROM deleted
            """,
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    private func lines(of id: UUID, after sequence: Int, includeDebug: Bool) async throws -> [ExecutionLogLine] {
        let rows = try await client.tracedQuery(
            """
            SELECT sequence, level, message, logged_at FROM execution_logs
            WHERE execution_id = \(id) AND sequence > \(sequence) AND (\(includeDebug) OR level <> 'debug')
            ORDER BY sequence
            """,
            logger: logger
        )
        var lines: [ExecutionLogLine] = []
        for try await (sequence, level, message, at) in rows.decode((Int32, String, String, Date).self) {
            lines.append(ExecutionLogLine(sequence: Int(sequence), level: level, message: message, loggedAt: at))
        }
        return lines
    }

    private typealias Row = (
        UUID, String, UUID?, String, String, String?, String?, UUID?, UUID?, String, Date, Date?, Date?, Int64?
    )

    private static let columns = """
        id, workflow, organization_id, status, input::text, result::text, error, started_by_user, started_by_key,
        started_by, created_at, started_at, finished_at, duration_ms
        """

    private static func record(_ row: Row) throws -> ExecutionRecord {
        ExecutionRecord(
            id: row.0, workflow: row.1, organizationID: row.2, status: ExecutionStatus(rawValue: row.3) ?? .failed,
            input: try JSONValue(parsing: row.4), result: try row.5.map { try JSONValue(parsing: $0) }, error: row.6,
            startedBy: ExecutionActor(userID: row.7, apiKeyID: row.8, label: row.9), createdAt: row.10,
            startedAt: row.11, finishedAt: row.12, durationMilliseconds: row.13.map(Int.init)
        )
    }
}

extension PostgresQuery.StringInterpolation {
    /// The condition that a row of `executions` is one `visibility` shows: of its scope (or any, for
    /// `everything`), started by its user or key when it names one, of its workflows when it names some.
    /// Parenthesised, its values bound.
    fileprivate mutating func appendInterpolation(runsVisibleTo visibility: ExecutionVisibility) {
        appendLiteral("((")
        appendInterpolation(organizationOf: visibility.rows)
        appendLiteral(") AND (")
        appendInterpolation(visibility.startedBy)
        appendLiteral("::uuid IS NULL OR started_by_user = ")
        appendInterpolation(visibility.startedBy)
        appendLiteral(" OR started_by_key = ")
        appendInterpolation(visibility.startedBy)
        appendLiteral(") AND (")
        appendInterpolation(visibility.workflows)
        appendLiteral("::text[] IS NULL OR workflow = ANY(")
        appendInterpolation(visibility.workflows)
        appendLiteral(")))")
    }
}
