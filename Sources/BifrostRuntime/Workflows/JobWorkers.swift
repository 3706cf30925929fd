public import BifrostEngine
public import BifrostStore
import BifrostTelemetry
import Foundation
public import Logging
public import Metrics
public import ServiceLifecycle
import Synchronization

/// Runs queued workflow runs: claims due jobs (`PostgresJobQueue.claim`) up to `concurrency` at a time and runs
/// each with the engine, leaving waiting the jobs of organisations that already run as many as they may here.
///
/// Workers wake when a job is queued here (`PostgresJobQueue.onEnqueue`) or on another replica (`subscription`,
/// given to the `NotificationListener`), when one of their runs ends, and every `pollInterval` regardless, so a
/// lost notification only delays a job. While runs are in flight or their outcomes being written, a claim waits
/// (at most `batchWait`) until every worker is free, so that each claim takes several jobs. Two claims may be
/// under way at once (when no organisation is near its limit), so that workers freed while one waits for the
/// database are filled by the next. On graceful shutdown they stop claiming, let the runs in progress go on for
/// `drainTimeout`, then hand the rest back to the queue for another replica. They start once the schema is
/// current.
public struct JobWorkers: Service {
    package let engine: ExecutionEngine
    package let schema: SchemaState
    package let concurrency: Int
    package let pollInterval: Duration
    package let drainTimeout: Duration
    package let logger: Logger
    /// Longest a free worker waits for others to free up, so that a claim takes several jobs.
    public var batchWait: Duration = .milliseconds(2)
    private let wakeups = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    /// `bifrost_workers_busy`: the runs in progress.
    private let busy: Gauge
    /// `bifrost_queue_claim_latency_seconds`: from queueing to claim.
    private let claimLatency: Metrics.Timer

    /// - Parameter metrics: where the busy workers and the claim latency are recorded; the default, nowhere.
    public init(
        engine: ExecutionEngine, schema: SchemaState, concurrency: Int, pollInterval: Duration = .seconds(1),
        drainTimeout: Duration = .seconds(5), metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        logger: Logger
    ) {
        self.busy = Gauge(label: MetricName.workersBusy, factory: metrics)
        self.claimLatency = Metrics.Timer(label: MetricName.queueClaimLatency, factory: metrics)
        self.engine = engine
        self.schema = schema
        self.concurrency = concurrency
        self.pollInterval = pollInterval
        self.drainTimeout = drainTimeout
        self.logger = logger
    }

    /// Wakes the workers when a job is queued, and when listening resumes (a notification may have been lost).
    public var subscription: NotificationSubscription {
        let wake = wakeups.continuation
        return NotificationSubscription(
            channel: ExecutionChannels.jobs, received: { _ in wake.yield() }, resumed: { wake.yield() }
        )
    }

    public func run() async throws {
        guard concurrency > 0 else { return }
        let schemaCurrent = await cancelWhenGracefulShutdown { (try? await schema.waitUntilCurrent()) != nil }
        guard schemaCurrent else { return }
        let wake = wakeups.continuation
        engine.queue.onEnqueue { wake.yield() }
        let state = WorkerState(busy: busy)
        // Wakes the loop every `pollInterval` (a notification may be lost). Unstructured because the task group
        // below ends only once its runs have; `run()` cancels it on the way out.
        let poller = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                wake.yield()
            }
        }
        defer { poller.cancel() }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                var iterator = wakeups.stream.makeAsyncIterator()
                var batchDeadline: ContinuousClock.Instant?
                while !state.isStopping {
                    let capacity = engine.capacity
                    let reserved = state.reservedCount
                    // Runs that ended and wait for their outcome to be written hold no worker, but at most
                    // `concurrency` of them may wait, so a slow database slows the claims. Workers a claim in
                    // flight may fill are not free.
                    let free = min(
                        concurrency - state.inFlightCount - reserved,
                        2 * concurrency - state.inFlightCount - state.recordingCount - reserved,
                        capacity.total - reserved
                    )
                    // Claim in batches: with some workers busy while runs are in flight, their outcomes being
                    // written or a claim under way (each frees or fills workers soon), wait until all are free or
                    // `batchWait` has passed, whichever comes first (each claim costs the database a statement
                    // and a commit, however few jobs it takes; measured with 8 workers, live completions per
                    // second: 2,527 claiming at half free, 2,994 at three quarters, 3,064 at all).
                    let busy = state.inFlightCount > 0 || state.recordingCount > 0 || state.claimsInFlight > 0
                    if free > 0, free < concurrency, busy {
                        if batchDeadline == nil {
                            batchDeadline = .now + batchWait
                            group.addTask {
                                try? await Task.sleep(for: batchWait)
                                wake.yield()
                            }
                        }
                        if let batchDeadline, ContinuousClock.now < batchDeadline {
                            guard await iterator.next() != nil else { break }
                            continue
                        }
                    }
                    batchDeadline = nil
                    if free > 0, mayClaim(alongside: state.claimsInFlight, capacity: capacity.perOrganization) {
                        state.reserve(free)
                        group.addTask { await claimAndRun(free, capacity: capacity.perOrganization, state: state) }
                        continue
                    }
                    guard await iterator.next() != nil else { break }
                }
                group.addTask { await releaseAfterDrain(state) }
            }
        } onGracefulShutdown: {
            state.stop()
            wake.yield()
        }
    }

    /// Whether a claim may start while `claimsInFlight` others are under way: one at a time, or two when no
    /// organisation has less room than there are workers (two claims together take at most that many jobs, so
    /// neither can push an organisation past its limit on the strength of the same free room). Two claims in
    /// flight keep workers busy while each waits for the database.
    private func mayClaim(alongside claimsInFlight: Int, capacity: OrganizationCapacity) -> Bool {
        switch claimsInFlight {
        case 0: true
        case 1: capacity.default >= concurrency && capacity.remaining.values.allSatisfy { $0 >= concurrency }
        default: false
        }
    }

    /// Claims up to `limit` jobs (workers `state` has reserved for them) and runs those admitted. Wakes the claim
    /// loop when the claim took all it asked for (more may be waiting); one that took fewer found the queue
    /// empty, and a notification, a run's end or the poll wakes the loop instead.
    private func claimAndRun(_ limit: Int, capacity: OrganizationCapacity, state: WorkerState) async {
        let wake = wakeups.continuation
        let jobs = await claim(limit, capacity: capacity) ?? []
        recordClaimLatency(of: jobs)
        var admitted: [(job: ClaimedJob, work: @Sendable () async throws -> Void)] = []
        for job in jobs {
            let id = job.record.id
            guard
                let work = await admit(
                    job,
                    onRunEnded: {
                        state.ended(id)
                        wake.yield()
                    })
            else { continue }
            state.started(id)
            admitted.append((job, work))
        }
        state.unreserve(limit)
        if jobs.count == limit { wake.yield() }
        await withDiscardingTaskGroup { group in
            for (job, work) in admitted {
                group.addTask {
                    await runJob(job, work)
                    state.recorded(job.record.id)
                    wake.yield()
                }
            }
        }
    }

    /// Records how long each claimed job waited since it was queued. Retries are left out: they wait for their
    /// backoff on purpose, and their `created_at` is the first attempt's.
    private func recordClaimLatency(of jobs: [ClaimedJob]) {
        let now = Date()
        for job in jobs where job.attempt == 1 {
            claimLatency.record(duration: .seconds(max(0, now.timeIntervalSince(job.record.createdAt))))
        }
    }

    /// Once the drain timeout has passed, hands every run still in progress back to the queue.
    private func releaseAfterDrain(_ state: WorkerState) async {
        let deadline = ContinuousClock.now + drainTimeout
        // A claim under way when the shutdown came starts its runs only once its statement returns: wait for it,
        // or those runs would be missed here and run to their end however long the drain allows.
        while state.claimsInFlight > 0 { try? await Task.sleep(for: .milliseconds(10)) }
        while state.inFlightCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let left = state.inFlight
        guard !left.isEmpty else { return }
        logger.notice("Handing queued runs in progress back to the queue", metadata: ["bifrost.runs": "\(left.count)"])
        for id in left { _ = engine.release(id) }
    }

    private func claim(_ count: Int, capacity: OrganizationCapacity) async -> [ClaimedJob]? {
        do {
            return try await engine.queue.claim(owner: engine.instanceID, limit: count, capacity: capacity)
        } catch {
            logger.warning("Could not claim queued runs", metadata: ["error.message": "\(error)"])
            return nil
        }
    }

    /// The work of `job` with its run slot taken, or nil when it went back to the queue.
    private func admit(_ job: ClaimedJob, onRunEnded: @escaping @Sendable () -> Void) async
        -> (@Sendable () async throws -> Void)?
    {
        do {
            return try await engine.admit(job, onRunEnded: onRunEnded)
        } catch {
            logger.warning(
                "Could not hand a queued run back",
                metadata: [
                    "bifrost.execution.id": "\(job.record.id)", "error.message": "\(error)",
                ])
            return nil
        }
    }

    private func runJob(_ job: ClaimedJob, _ work: @Sendable () async throws -> Void) async {
        do {
            try await work()
        } catch {
            logger.error(
                "Could not record a queued run",
                metadata: [
                    "bifrost.execution.id": "\(job.record.id)", "error.message": "\(error)",
                ])
        }
    }
}

/// What the claim loop, the claims, the runs and the shutdown handler share: the claims under way and the workers
/// they reserve, the runs going on, and those that ended and whose outcome is being written.
private final class WorkerState: Sendable {
    private struct State {
        var stopping = false
        var running: Set<UUID> = []
        var recording = 0
        var reserved = 0
        var claims = 0
    }

    private let state = Mutex(State())
    /// Follows `running.count`.
    private let busy: Gauge

    init(busy: Gauge) {
        self.busy = busy
        busy.record(0)
    }

    var isStopping: Bool { state.withLock { $0.stopping } }
    var inFlight: Set<UUID> { state.withLock { $0.running } }
    var inFlightCount: Int { state.withLock { $0.running.count } }
    var recordingCount: Int { state.withLock { $0.recording } }
    /// Workers that claims under way may fill.
    var reservedCount: Int { state.withLock { $0.reserved } }
    var claimsInFlight: Int { state.withLock { $0.claims } }

    func stop() { state.withLock { $0.stopping = true } }
    func started(_ id: UUID) {
        state.withLock { state in
            state.running.insert(id)
            // Inside the lock, so that the gauge never goes back to an older count.
            busy.record(state.running.count)
        }
    }

    /// A claim for `count` jobs starts.
    func reserve(_ count: Int) {
        state.withLock { state in
            state.reserved += count
            state.claims += 1
        }
    }

    /// A claim for `count` jobs is over (its jobs, if any, have started).
    func unreserve(_ count: Int) {
        state.withLock { state in
            state.reserved -= count
            state.claims -= 1
        }
    }

    /// The run ended; its outcome is being written.
    func ended(_ id: UUID) {
        state.withLock { state in
            if state.running.remove(id) != nil { state.recording += 1 }
            // Inside the lock, so that the gauge never goes back to an older count.
            busy.record(state.running.count)
        }
    }

    /// The job is done with: its outcome is written (or it went back to the queue).
    func recorded(_ id: UUID) {
        state.withLock { state in
            if state.running.remove(id) == nil { state.recording -= 1 }
            // Inside the lock, so that the gauge never goes back to an older count.
            busy.record(state.running.count)
        }
    }
}
