public import Bifrost
public import BifrostStore
import BifrostTelemetry
public import Foundation
public import Logging
public import Metrics
import Synchronization
import Tracing

/// Runs workflows for callers and records every run: validation, scope, concurrency limits, the run itself
/// (`WorkflowRun`), and its record. Synchronous runs happen in the caller's request; queued ones are recorded
/// `Pending` (`PostgresJobQueue`) and run by `JobWorkers` through `run(_:)`.
///
/// A quick synchronous run costs one database write, at its end (batched with others, see
/// `PostgresExecutionRepository`); one still going after `Limits.runningRowDelay` is also written as `Running`,
/// so that it can be listed, watched and cancelled, and closed by the clean-up if this process dies. A run with a
/// row that outlasts that delay has its log lines written as they come (`LiveLog`), for its watchers; a quicker
/// one's lines arrive with its outcome.
public struct ExecutionEngine: Sendable {
    /// Limits that keep one organisation, or everyone together, from exhausting the process.
    public struct Limits: Sendable {
        public var concurrentRuns: Int
        public var concurrentRunsPerOrganization: Int
        /// Largest encoded result, in bytes.
        public var maximumResultSize: Int
        /// How long a run goes unrecorded before its `Running` row is written.
        public var runningRowDelay: Duration

        public init(
            concurrentRuns: Int = 64, concurrentRunsPerOrganization: Int = 16, maximumResultSize: Int = 1 << 20,
            runningRowDelay: Duration = .milliseconds(200)
        ) {
            self.concurrentRuns = concurrentRuns
            self.concurrentRunsPerOrganization = concurrentRunsPerOrganization
            self.maximumResultSize = maximumResultSize
            self.runningRowDelay = runningRowDelay
        }
    }

    public let catalogue: WorkflowCatalogue
    /// Where runs are recorded.
    public let executions: any ExecutionRepository
    /// Where queued runs wait for a worker.
    public let queue: any JobQueue
    /// Names of organisations, for the runs' contexts.
    public let organizationNames: OrganizationNames
    /// This gateway process, as recorded on the runs it owns.
    public let instanceID: UUID
    /// Where runs' `context.secrets` reads and writes; nil: the service is not available to runs.
    public let secrets: (any SecretRepository)?
    /// Where runs' `context.config` reads and writes; nil: the service is not available to runs.
    public let config: (any ConfigRepository)?
    /// Where runs' `context.files` live; nil: the service is not available to runs.
    public let files: (any FileRepository)?
    /// Where runs' `context.oauth` tokens come from; nil: the service is not available to runs.
    public let oauth: (any ScopedOAuthTokens)?
    /// What sends runs' `context.http` requests; nil: the service is not available to runs.
    public let http: (any HTTPTransport)?
    /// Timeouts, size bound and retries of runs' `context.http` requests.
    public let outboundPolicy: OutboundPolicy
    /// Configuration values runs read recently, as stored (a `secret` one sealed).
    public let configCache: ScopedCache<PostgresConfigRepository.StoredValue?>
    /// Secrets runs read recently, sealed.
    public let secretCache: ScopedCache<SealedValue?>
    /// Runs started and finished, and their durations.
    public let metrics: RunMetrics
    let limits: Limits
    let slots: ExecutionSlots
    let running = RunningExecutions()
    /// Who in this process watches which run.
    public let watchers = ExecutionWatchers()
    let logger: Logger

    public init(
        catalogue: WorkflowCatalogue, executions: any ExecutionRepository, queue: any JobQueue,
        organizationNames: OrganizationNames, instanceID: UUID, secrets: (any SecretRepository)? = nil,
        config: (any ConfigRepository)? = nil, files: (any FileRepository)? = nil,
        oauth: (any ScopedOAuthTokens)? = nil, http: (any HTTPTransport)? = nil,
        outboundPolicy: OutboundPolicy = OutboundPolicy(), limits: Limits,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) {
        self.metrics = RunMetrics(factory: metrics)
        self.configCache = ScopedCache(lookups: CacheLookups(.config, factory: metrics))
        self.secretCache = ScopedCache(lookups: CacheLookups(.secrets, factory: metrics))
        self.secrets = secrets
        self.oauth = oauth
        self.http = http
        self.outboundPolicy = outboundPolicy
        self.config = config
        self.files = files
        self.catalogue = catalogue
        self.executions = executions
        self.queue = queue
        self.organizationNames = organizationNames
        self.instanceID = instanceID
        self.limits = limits
        self.slots = ExecutionSlots(total: limits.concurrentRuns, perOrganization: limits.concurrentRunsPerOrganization)
        self.logger = logger
    }

    /// How a submitted run went: finished in the request, or queued for the workers.
    public enum Submission: Sendable {
        case finished(ExecutionRecord)
        case queued(ExecutionRecord)
    }

    /// Validates `input` and runs workflow `name` for `caller`: in this request if it is synchronous and the
    /// caller did not ask for `queued`, else by queueing it (an asynchronous or scheduled workflow always is).
    /// - Throws: `ExecutionRefusal` when the run cannot start; a database error when it cannot be recorded.
    public func submit(_ name: String, input: [String: JSONValue], caller: Caller, queued: Bool = false) async throws
        -> Submission
    {
        let (entry, values) = try prepare(name, input: input, caller: caller)
        let now = Date()
        let record = ExecutionRecord(
            id: .timeOrdered(at: now), workflow: name, organizationID: caller.organizationID, status: .pending,
            input: .object(values), startedBy: caller.actor, createdAt: now
        )
        guard !queued, entry.configuration.executionMode == .sync else {
            try await queue.enqueue(
                record,
                caller: JobCaller(
                    email: caller.email, name: caller.name, isPlatformAdmin: caller.isPlatformAdmin,
                    traceParent: TraceParent.current?.header),
                maximumAttempts: 1 + entry.configuration.retries
            )
            return .queued(record)
        }
        guard slots.acquire(organization: caller.organizationID) else { throw ExecutionRefusal.busy }
        defer { slots.release(organization: caller.organizationID) }
        return .finished(try await perform(record, entry: entry, caller: caller, row: .writtenIfLong, mode: .sync))
    }

    /// Validates `input` and runs workflow `name` for `caller` in this process now, whatever its mode, and
    /// records it as a synchronous run is recorded: `bifrost workflows run`, the author's inner loop.
    /// - Throws: `ExecutionRefusal` when the run cannot start; a database error when it cannot be recorded.
    package func runHere(_ name: String, input: [String: JSONValue], caller: Caller) async throws -> ExecutionRecord {
        let (entry, values) = try prepare(name, input: input, caller: caller)
        let now = Date()
        let record = ExecutionRecord(
            id: .timeOrdered(at: now), workflow: name, organizationID: caller.organizationID, status: .pending,
            input: .object(values), startedBy: caller.actor, createdAt: now
        )
        return try await perform(record, entry: entry, caller: caller, row: .writtenIfLong, mode: .local)
    }

    /// Takes a run slot for a job a worker claimed and returns the work that runs it and records its outcome
    /// (giving the slot back at the end); nil when the job's organisation already has as many runs in progress
    /// here as it may, in which case the job goes back to the queue. Taking the slot before the work starts keeps
    /// the worker's next claim within the limits.
    /// - Parameter onRunEnded: called when the run has ended, before its outcome is written (a worker may take
    ///   the next job meanwhile: nobody waits for a queued run's answer).
    public func admit(_ job: ClaimedJob, onRunEnded: @escaping @Sendable () -> Void = {}) async throws
        -> (@Sendable () async throws -> Void)?
    {
        let organization = job.record.organizationID
        guard slots.acquire(organization: organization) else {
            try await queue.release([job.record.id], owner: instanceID)
            return nil
        }
        return {
            defer { slots.release(organization: organization) }
            try await run(job, onRunEnded: onRunEnded)
        }
    }

    /// Runs a claimed job and records its outcome (or hands it back to the queue when released).
    private func run(_ job: ClaimedJob, onRunEnded: @escaping @Sendable () -> Void) async throws {
        let record = job.record
        guard let entry = catalogue.workflows[record.workflow] else {
            onRunEnded()
            var failed = record
            failed.status = .failed
            failed.error = "No workflow is named \(record.workflow) in this gateway."
            failed.finishedAt = Date()
            failed.durationMilliseconds = 0
            return try await recordingOutcome { try await executions.finish(failed, logs: []) }
        }
        let caller = Caller(
            organizationID: record.organizationID, userID: record.startedBy.userID, email: job.caller.email,
            name: job.caller.name, isPlatformAdmin: job.caller.isPlatformAdmin, actor: record.startedBy
        )
        // The schedule's statement queues its runs as `schedule`, with no user or key.
        let scheduled =
            record.startedBy.label == "schedule" && record.startedBy.userID == nil
            && record.startedBy.apiKeyID == nil
        _ = try await perform(
            record, entry: entry, caller: caller, row: .exists, mode: scheduled ? .scheduled : .async,
            queuedBy: job.caller.traceParent,
            onRunEnded: onRunEnded)
    }

    /// How many more runs this process may start, in all and per organisation (the limits count synchronous
    /// and queued runs together).
    public var capacity: (total: Int, perOrganization: OrganizationCapacity) { slots.capacity() }

    /// The workflow and its validated input, or why the run cannot start.
    private func prepare(_ name: String, input: [String: JSONValue], caller: Caller) throws
        -> (WorkflowEntry, [String: JSONValue])
    {
        guard let entry = catalogue.workflows[name] else { throw ExecutionRefusal.unknownWorkflow(name) }
        if entry.configuration.requiresOrganization, caller.organizationID == nil {
            throw ExecutionRefusal.needsOrganization(name)
        }
        do {
            return (entry, try entry.validate(input))
        } catch let invalid as InvalidInput {
            throw ExecutionRefusal.invalidInput(invalid.problems)
        }
    }

    /// Whether a run has a row while it goes on.
    private enum RunRow {
        /// A queued run: its row was claimed.
        case exists
        /// A synchronous run: its `Running` row is written if it outlasts `Limits.runningRowDelay`.
        case writtenIfLong
    }

    /// Runs `record`'s workflow inside a span of its own when tracing is on (see `performRun`): a synchronous run's
    /// is a child of the request's; a queued run's starts a trace of its own, linked to the span that queued it
    /// (`queuedBy`, a `traceparent`).
    private func perform(
        _ record: ExecutionRecord, entry: WorkflowEntry, caller: Caller, row: RunRow, mode: RunMode,
        queuedBy: String? = nil, onRunEnded: (@Sendable () -> Void)? = nil
    ) async throws -> ExecutionRecord {
        // A queued run's span is the root of its trace (the sampler decides); any other run's is a child of its
        // request's, started only when that one is recorded.
        let queued = mode == .async || mode == .scheduled
        guard queued ? TracingSwitch.isOn : TracingSwitch.recordsChildren else {
            return try await performRun(
                record, entry: entry, caller: caller, row: row, mode: mode, onRunEnded: onRunEnded)
        }
        let span = RunSpan.start(record, mode: mode, queuedBy: queuedBy)
        defer { span.end() }
        var record = record
        if span.isRecording { record.traceID = TraceParent.of(span.context)?.traceID }
        let finished = try await TracingSwitch.recording(span) { [record] in
            try await performRun(record, entry: entry, caller: caller, row: row, mode: mode, onRunEnded: onRunEnded)
        }
        RunSpan.finish(span, status: finished.status)
        return finished
    }

    /// Runs `record`'s workflow, with its validated input, to its outcome and records it (a released run goes
    /// back to the queue instead).
    private func performRun(
        _ record: ExecutionRecord, entry: WorkflowEntry, caller: Caller, row: RunRow, mode: RunMode,
        onRunEnded: (@Sendable () -> Void)?
    ) async throws -> ExecutionRecord {
        var record = record
        let values = record.input.objectValue ?? [:]
        let id = record.id
        let name = record.workflow
        record.status = .running
        record.startedAt = record.startedAt ?? Date()
        let clock = ContinuousClock.now
        let organizationName = try await organizationNames.name(of: caller.organizationID)
        // The catalogue's name, never the caller's: label values stay bounded.
        let workflow = entry.configuration.name
        metrics.started(workflow, mode: mode)

        let collector = ExecutionLogCollector()
        let scope: Scope = caller.organizationID.map(Scope.organization) ?? .global
        let runFiles = files.map {
            RunFiles(store: $0, scope: scope, execution: id, actor: record.startedBy.label, logger: logger)
        }
        let traceID = record.traceID
        let runLogger = collector.logger(forwardingTo: logger) {
            var metadata: Logger.Metadata = [
                "bifrost.execution.id": .string(id.lowercasedText), "bifrost.workflow": .string(name),
            ]
            if let traceID { metadata["bifrost.trace.id"] = .string(traceID) }
            return metadata
        }
        let runOAuth: any OAuthTokens =
            oauth.map { RunOAuth(tokens: $0, scope: scope, redactor: collector.redactor) }
            ?? UnavailableService("oauth")
        let context = ExecutionContext(
            orgID: caller.organizationID, orgName: organizationName, userID: caller.userID, email: caller.email,
            name: caller.name, executionID: id, isPlatformAdmin: caller.isPlatformAdmin, logger: runLogger,
            config: config.map {
                RunConfig(
                    store: $0, cache: configCache, scope: scope, actor: record.startedBy.label,
                    redactor: collector.redactor)
            }
                ?? UnavailableService("config"),
            secrets: secrets.map {
                RunSecrets(
                    store: $0, cache: secretCache, scope: scope, actor: record.startedBy.label,
                    redactor: collector.redactor
                )
            }
                ?? UnavailableService("secrets"),
            oauth: runOAuth,
            files: runFiles ?? UnavailableService("files"),
            http: http.map { RunHTTP(transport: $0, oauth: runOAuth, policy: outboundPolicy, logger: runLogger) }
                ?? UnavailableService("http")
        )
        let liveLog = LiveLog(id, collector: collector, executions: executions, logger: logger)
        let onLongRun: (@Sendable () -> Void)?
        switch row {
        case .exists:
            onLongRun = liveLog.start
        case .writtenIfLong:
            onLongRun = { [record] in recordAsRunning(record, then: liveLog.start) }
        }
        let control = running.register(
            id, timeout: entry.configuration.timeout, longRunAfter: limits.runningRowDelay, onLongRun: onLongRun
        )
        // Registered until recorded: a row this process holds and does not run is an orphan (`runningIDs`).
        defer { running.remove(id) }
        let outcome = await WorkflowRun(
            entry: entry, values: values, context: context, maximumResultSize: limits.maximumResultSize
        ).outcome(control: control)
        onRunEnded?()
        await runFiles?.removeTemporaryFiles()
        let written = await liveLog.stop()
        if control.reason == .released {
            try await recordingOutcome { try await queue.release([id], owner: instanceID) }
            return record
        }

        record.status = outcome.status
        record.result = outcome.result.map { collector.redactor.redact($0) }
        record.error = outcome.error.map(collector.redactor.redact)
        record.finishedAt = Date()
        let duration = ContinuousClock.now - clock
        record.durationMilliseconds = Int(duration / .milliseconds(1))
        metrics.finished(workflow, status: outcome.status, duration: duration)
        let lines = Array(collector.lines.dropFirst(written))
        try await recordingOutcome { try await executions.finish(record, logs: lines) }
        return record
    }

    /// Writes `record` as `Running`, in the background (the run goes on meanwhile), then calls `then`.
    /// Unstructured so that the run does not wait for the write; it ends with the statement (bounded by the store's
    /// write deadline).
    private func recordAsRunning(_ record: ExecutionRecord, then: @escaping @Sendable () -> Void) {
        Task {
            do {
                try await executions.start(record, owner: instanceID)
                then()
            } catch {
                logger.warning("Could not record a run as running", metadata: ["error.message": "\(error)"])
            }
        }
    }

    /// Writes a run's outcome, trying six times over about half a minute, so that a database restart does not
    /// lose it; a run whose outcome still cannot be written is closed later by the heartbeat as an orphan.
    private func recordingOutcome(_ write: () async throws -> Void) async throws {
        var delay = Duration.milliseconds(500)
        for attempt in 1...6 {
            do {
                return try await write()
            } catch  where attempt < 6 {
                logger.warning("Could not record a run's outcome; retrying", metadata: ["error.message": "\(error)"])
                try? await Task.sleep(for: delay)
                delay *= 2
            }
        }
    }

    /// Runs this process has under way (or ended and not yet recorded).
    public var runningIDs: Set<UUID> { running.ids }

    /// Cancels a run this process is executing; false when it is not running here.
    public func cancel(_ id: UUID) -> Bool { running.stop(id, .cancelled) }

    /// Stops a queued run this process is executing and hands it back to the queue (at shutdown, for another
    /// replica); false when it is not running here.
    public func release(_ id: UUID) -> Bool { running.stop(id, .released) }
}
