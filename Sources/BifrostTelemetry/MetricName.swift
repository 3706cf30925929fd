/// The names of every metric Bifrost exports, in one place: the code records them through these constants,
/// `docs/observability.md` describes them, and a test checks that the Grafana dashboard asks for no other.
///
/// Prometheus conventions: `snake_case`, a unit suffix (`_seconds`), `_total` on counters. Label values are
/// bounded sets (workflow names from the catalogue, provider names from the provider catalogue, enums); never
/// an organisation, user, key, connection or tenant.
public enum MetricName {
    /// Counter of HTTP requests, by `route` (template), `method` and `status`.
    public static let httpRequests = "http_requests_total"
    /// Histogram of HTTP request durations, by `route`, `method` and `status`.
    public static let httpRequestDuration = "http_request_duration_seconds"
    /// Counter of refused webhook deliveries, by `reason`.
    public static let webhookRejections = "bifrost_webhook_rejections_total"
    /// Counter of runs started, by `workflow` and `mode` (`RunMode`).
    public static let runsStarted = "bifrost_workflow_runs_started_total"
    /// Counter of runs finished, by `workflow` and `status` (`RunStatusLabel`).
    public static let runsFinished = "bifrost_workflow_runs_finished_total"
    /// Histogram of run durations, by `workflow`.
    public static let runDuration = "bifrost_workflow_run_duration_seconds"
    /// Gauge of queued runs waiting for a worker (`Pending`), deployment-wide.
    public static let queueDepth = "bifrost_queue_depth"
    /// Gauge of how long the oldest due queued run has waited, in seconds (0 when none waits).
    public static let queueOldestPendingAge = "bifrost_queue_oldest_pending_age_seconds"
    /// Histogram of the time from queueing a run to a worker claiming it (first attempts only).
    public static let queueClaimLatency = "bifrost_queue_claim_latency_seconds"
    /// Gauge of this process's workers running a queued run.
    public static let workersBusy = "bifrost_workers_busy"
    /// Counter of schedule slots this process fired.
    public static let scheduleSlotsFired = "bifrost_schedule_slots_fired_total"
    /// Counter of schedule slots skipped (after downtime only the latest missed slot fires).
    public static let scheduleSlotsMissed = "bifrost_schedule_slots_missed_total"
    /// Counter of calls to a provider's token endpoint, by `provider` and `outcome` (`TokenRequestOutcome`).
    public static let oauthTokenRequests = "bifrost_oauth_token_requests_total"
    /// Counter of tokens handed to runs from the broker's memory, by `provider`.
    public static let oauthTokensCached = "bifrost_oauth_tokens_cached_total"
    /// Counter of cache lookups, by `cache` (`CacheName`) and `result` (`hit`, `miss`).
    public static let cacheLookups = "bifrost_cache_lookups_total"
    /// Gauge of SQL statements this process has under way (each holds a pooled connection), when sampled.
    public static let databaseStatementsInFlight = "bifrost_db_statements_in_flight"
    /// Gauge of the most statements under way at once since the previous sample.
    public static let databaseStatementsInFlightPeak = "bifrost_db_statements_in_flight_peak"
    /// Gauge of the connections this process's pool may open (`database.maxConnections`).
    public static let databasePoolSize = "bifrost_db_pool_connections_max"

    /// Every name above.
    public static let all: [String] = [
        httpRequests, httpRequestDuration, webhookRejections, runsStarted, runsFinished, runDuration, queueDepth,
        queueOldestPendingAge, queueClaimLatency, workersBusy, scheduleSlotsFired, scheduleSlotsMissed,
        oauthTokenRequests, oauthTokensCached, cacheLookups, databaseStatementsInFlight,
        databaseStatementsInFlightPeak, databasePoolSize,
    ]

    /// Histogram buckets of the duration metrics that do not use the exporter's default (5 ms to 10 s): a run may
    /// take minutes, and a claim usually takes milliseconds.
    public static let durationBuckets: [String: [Duration]] = [
        runDuration: [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60), .seconds(120), .seconds(300),
        ],
        queueClaimLatency: [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
            .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
        ],
    ]
}
