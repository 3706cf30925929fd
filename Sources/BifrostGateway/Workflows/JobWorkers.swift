public import BifrostEngine
public import BifrostStore
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Runs queued workflow runs: claims due jobs (`PostgresJobQueue.claim`) up to `concurrency` at a time and runs
/// each with the engine, leaving waiting the jobs of organisations that already run as many as they may here.
///
/// Workers wake when a job is queued on any replica (`subscription`, given to the `NotificationListener`), when
/// one of their runs ends, and every `pollInterval` regardless, so a lost notification only delays a job. While
/// runs are in flight or their outcomes being written, a claim waits (at most `batchWait`) until half the workers
/// are free, so that each claim takes several jobs. On graceful shutdown they stop claiming, let the runs in progress go on for
/// `drainTimeout`, then hand the rest back to the queue for another replica. They start once the schema is
/// current.
public struct JobWorkers: Service {
    let engine: ExecutionEngine
    let schema: SchemaState
    let concurrency: Int
    let pollInterval: Duration
    let drainTimeout: Duration
    let logger: Logger
    /// Longest a free worker waits for others to free up, so that a claim takes several jobs.
    public var batchWait: Duration = .milliseconds(2)
    private let wakeups = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    public init(
        engine: ExecutionEngine, schema: SchemaState, concurrency: Int, pollInterval: Duration = .seconds(1),
        drainTimeout: Duration = .seconds(5), logger: Logger
    ) {
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
        while !schema.isCurrent {
            guard !Task.isShuttingDownGracefully, (try? await Task.sleep(for: .milliseconds(100))) != nil else { return }
        }
        let wake = wakeups.continuation
        let state = WorkerState()
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
                    // Runs that ended and wait for their outcome to be written hold no worker, but at most
                    // `concurrency` of them may wait, so a slow database slows the claims.
                    let free = min(
                        concurrency - state.inFlightCount, 2 * concurrency - state.inFlightCount - state.recordingCount,
                        capacity.total
                    )
                    // Claim in batches: with fewer than half the workers free while runs are in flight or their
                    // outcomes being written (either frees workers soon), wait until half are free or `batchWait`
                    // has passed, whichever comes first (each claim costs the database a statement and a commit,
                    // however few jobs it takes).
                    if free > 0, free < (concurrency + 1) / 2, state.inFlightCount > 0 || state.recordingCount > 0 {
                        if batchDeadline == nil {
                            batchDeadline = .now + batchWait
                            Task {
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
                    if free > 0, let jobs = await claim(free, capacity: capacity.perOrganization) {
                        for job in jobs {
                            let id = job.record.id
                            guard let work = await admit(job, onRunEnded: {
                                state.ended(id)
                                wake.yield()
                            }) else { continue }
                            state.started(id)
                            group.addTask {
                                await runJob(job, work)
                                state.recorded(id)
                                wake.yield()
                            }
                        }
                        if jobs.count == free { continue }
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

    /// Once the drain timeout has passed, hands every run still in progress back to the queue.
    private func releaseAfterDrain(_ state: WorkerState) async {
        let deadline = ContinuousClock.now + drainTimeout
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
            logger.warning("Could not hand a queued run back", metadata: [
                "bifrost.execution.id": "\(job.record.id)", "error.message": "\(error)",
            ])
            return nil
        }
    }

    private func runJob(_ job: ClaimedJob, _ work: @Sendable () async throws -> Void) async {
        do {
            try await work()
        } catch {
            logger.error("Could not record a queued run", metadata: [
                "bifrost.execution.id": "\(job.record.id)", "error.message": "\(error)",
            ])
        }
    }
}

/// What the claim loop, the runs and the shutdown handler share: the runs going on, and those that ended and
/// whose outcome is being written.
private final class WorkerState: Sendable {
    private struct State {
        var stopping = false
        var running: Set<UUID> = []
        var recording = 0
    }

    private let state = Mutex(State())

    var isStopping: Bool { state.withLock { $0.stopping } }
    var inFlight: Set<UUID> { state.withLock { $0.running } }
    var inFlightCount: Int { state.withLock { $0.running.count } }
    var recordingCount: Int { state.withLock { $0.recording } }

    func stop() { state.withLock { $0.stopping = true } }
    func started(_ id: UUID) { _ = state.withLock { $0.running.insert(id) } }

    /// The run ended; its outcome is being written.
    func ended(_ id: UUID) {
        state.withLock { state in
            if state.running.remove(id) != nil { state.recording += 1 }
        }
    }

    /// The job is done with: its outcome is written (or it went back to the queue).
    func recorded(_ id: UUID) {
        state.withLock { state in
            if state.running.remove(id) == nil { state.recording -= 1 }
        }
    }
}
