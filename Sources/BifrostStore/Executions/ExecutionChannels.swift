/// The `NOTIFY` channels through which replicas tell each other about runs. Notifications only wake: the rows
/// are the truth, so a missed notification delays a reader but never misleads it.
public enum ExecutionChannels {
    /// A job was queued (no payload): idle workers claim.
    public static let jobs = "bifrost_jobs"
    /// Recorded runs changed (status or new log lines); the payload is their ids, separated by commas.
    public static let events = "bifrost_execution_events"
    /// A run is to be cancelled on whichever replica runs it; the payload is its id.
    public static let cancel = "bifrost_execution_cancel"

    /// A query that notifies `events` of the runs whose ids column `id` of `relation` (a table or a CTE of the
    /// statement) holds: one notification per 200 runs rather than one per run, as every notification costs
    /// each listening replica a wake-up and the commit a slot in PostgreSQL's notification queue.
    static func notifyingEvents(of relation: String) -> String {
        """
        SELECT pg_notify('\(events)', string_agg(id::text, ','))
        FROM (SELECT id, (row_number() OVER () - 1) / 200 AS chunk FROM \(relation)) AS changed GROUP BY chunk
        """
    }

    /// Like `notifyingEvents(of:)`, for only those runs somebody watches (`execution_watches`, read with a
    /// snapshot taken after the statement's row locks; see migration 0016): for statements that change many
    /// runs nobody watches, such as claiming and finishing queued runs.
    static func notifyingWatchers(of relation: String) -> String {
        notifyingEvents(of: "bifrost_watched(ARRAY(SELECT id FROM \(relation))) AS watched")
    }
}
