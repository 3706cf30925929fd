public import BifrostEngine
public import BifrostStore
import Logging
public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// Runs queued workflow runs: claims due jobs (`PostgresJobQueue.claim`) up to `concurrency` at a time and runs
/// each with the engine.
///
/// Workers wake when a job is enqueued on any replica (`LISTEN bifrost_jobs`), when one of their runs ends, and
/// every `pollInterval` regardless, so a lost notification (or a listener reconnecting) only delays a job. On
/// graceful shutdown they stop claiming and let the runs in progress finish. They start once the schema is current.
public struct JobWorkers: Service {
    let engine: ExecutionEngine
    let client: PostgresClient
    let schema: SchemaState
    let concurrency: Int
    let pollInterval: Duration
    let logger: Logger

    public init(
        engine: ExecutionEngine, client: PostgresClient, schema: SchemaState, concurrency: Int,
        pollInterval: Duration = .seconds(1), logger: Logger
    ) {
        self.engine = engine
        self.client = client
        self.schema = schema
        self.concurrency = concurrency
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        guard concurrency > 0 else { return }
        while !schema.isCurrent {
            guard (try? await Task.sleep(for: .milliseconds(100))) != nil else { return }
        }
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let state = WorkerState()
        let listener = Task { await listen(waking: wake) }
        let poller = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                wake.yield()
            }
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                var iterator = wakes.makeAsyncIterator()
                while !state.stopping.load(ordering: .relaxed) {
                    let free = concurrency - state.inFlight.load(ordering: .relaxed)
                    if free > 0, let jobs = await claim(free) {
                        for job in jobs {
                            state.inFlight.add(1, ordering: .relaxed)
                            group.addTask {
                                await runJob(job)
                                state.inFlight.subtract(1, ordering: .relaxed)
                                wake.yield()
                            }
                        }
                        if jobs.count == free { continue }
                    }
                    guard await iterator.next() != nil else { break }
                }
            }
        } onGracefulShutdown: {
            state.stopping.store(true, ordering: .relaxed)
            wake.yield()
        }
        listener.cancel()
        poller.cancel()
    }

    private func claim(_ count: Int) async -> [ClaimedJob]? {
        do {
            return try await engine.queue.claim(owner: engine.instanceID, limit: count)
        } catch {
            logger.warning("Could not claim queued runs", metadata: ["error.message": "\(error)"])
            return nil
        }
    }

    private func runJob(_ job: ClaimedJob) async {
        do {
            try await engine.run(job)
        } catch {
            logger.error("Could not record a queued run", metadata: [
                "bifrost.execution.id": "\(job.record.id)", "error.message": "\(error)",
            ])
        }
    }

    /// Wakes the workers on every notification, reconnecting (with the poll covering the gap) when the
    /// connection drops.
    private func listen(waking wake: AsyncStream<Void>.Continuation) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    for try await _ in try await connection.listen(PostgresJobQueue.channel) { wake.yield() }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("Job notifications interrupted; listening again", metadata: ["error.message": "\(error)"])
            }
            try? await Task.sleep(for: pollInterval)
        }
    }
}

/// What the claim loop, the runs and the shutdown handler share.
private final class WorkerState: Sendable {
    let stopping = Atomic<Bool>(false)
    let inFlight = Atomic<Int>(0)
}
