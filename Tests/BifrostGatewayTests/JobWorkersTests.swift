import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Prometheus
import Synchronization
import Testing

/// Job workers on a real database: two replicas share the queue and run every job exactly once; claims take
/// several jobs at a time and, when they overlap, never fill more workers than there are.
@Suite struct JobWorkersTests {
    @Test func twoReplicasRunAThousandJobsEachExactlyOnce() async throws {
        try await withEngines(2, workflows: [CountedRun.self]) { database, schema, engines, caller in
            for index in 0..<1_000 {
                let submission = try await engines[index % 2].submit("counted_run", input: [:], caller: caller)
                guard case .queued = submission else { Issue.record("counted_run was not queued"); return }
            }
            let workers = engines.map { engine in
                Task {
                    try await JobWorkers(
                        engine: engine, schema: schema, concurrency: 8, pollInterval: .milliseconds(100),
                        logger: TestPostgres.logger
                    ).run()
                }
            }
            let unfinished = try await unfinishedAfterWaiting(database)
            for worker in workers { worker.cancel() }
            for worker in workers { _ = await worker.result }

            #expect(unfinished == 0)
            let rows = try await database.query(
                "SELECT count(*), count(*) FILTER (WHERE status = 'Success' AND attempts = 1) FROM executions",
                logger: TestPostgres.logger
            )
            for try await (total, succeededOnce) in rows.decode((Int, Int).self) {
                #expect(total == 1_000)
                #expect(succeededOnce == 1_000)
            }
            let runs = CountedRun.runs.withLock { $0 }
            #expect(runs.count == 1_000)
            #expect(runs.values.allSatisfy { $0 == 1 })
        }
    }

    /// While runs are in flight, workers claim once all of them are free, not at every run's end: each claim is
    /// a statement and a commit. Jobs claimed together share their `started_at` (the claim's transaction time).
    @Test func whileRunsAreInFlightEachClaimFillsEveryWorker() async throws {
        try await withEngines(1, workflows: [StaggeredRun.self]) { database, schema, engines, caller in
            for index in 0..<120 {
                _ = try await engines[0].submit(
                    "staggered_run", input: ["milliseconds": .int(index % 7 + 1)], caller: caller)
            }
            var workers = JobWorkers(
                engine: engines[0], schema: schema, concurrency: 8, pollInterval: .milliseconds(100),
                logger: TestPostgres.logger
            )
            workers.batchWait = .seconds(60)  // never the reason to claim here: only every worker being free
            let running = Task { [workers] in try await workers.run() }
            let unfinished = try await unfinishedAfterWaiting(database)
            running.cancel()
            _ = await running.result

            #expect(unfinished == 0)
            let rows = try await database.query(
                "SELECT count(*) FROM executions GROUP BY started_at ORDER BY started_at", logger: TestPostgres.logger
            )
            var claims: [Int] = []
            for try await size in rows.decode(Int.self) { claims.append(size) }
            #expect(claims.reduce(0, +) == 120)
            #expect(claims.dropLast().allSatisfy { $0 == 8 }, "claim sizes: \(claims)")
        }
    }

    /// Claims may overlap (one waits for the database while the runs of the other end), but the workers they
    /// fill are reserved from the moment they start: never more runs at once than workers.
    @Test func overlappingClaimsNeverRunMoreAtOnceThanThereAreWorkers() async throws {
        try await withEngines(1, workflows: [OverlapRun.self]) { database, schema, engines, caller in
            for index in 0..<300 {
                _ = try await engines[0].submit(
                    "overlap_run", input: ["microseconds": .int(index % 5 * 400)], caller: caller)
            }
            let workers = JobWorkers(
                engine: engines[0], schema: schema, concurrency: 8, pollInterval: .milliseconds(100),
                logger: TestPostgres.logger
            )
            let running = Task { try await workers.run() }
            let unfinished = try await unfinishedAfterWaiting(database)
            running.cancel()
            _ = await running.result

            #expect(unfinished == 0)
            let (started, peak) = OverlapRun.counts.withLock { ($0.started, $0.peak) }
            #expect(started == 300)
            #expect((1...8).contains(peak), "peak of runs at once: \(peak)")
        }
    }

    /// Runs `body` with `count` engines (replicas) of `workflows` on one migrated database, and a platform admin.
    private func withEngines(
        _ count: Int, workflows: [any Workflow.Type],
        _ body: (PostgresClient, SchemaState, [ExecutionEngine], Caller) async throws -> Void
    ) async throws {
        try await TestPostgres.withMigratedDatabase { _, database in
            let schema = SchemaState()
            schema.markCurrent()
            let tokens = try await AccessTokens(
                privateKeyPEM: AccessTokens.generatePrivateKeyPEM(), lifetime: .seconds(900))
            let catalogue = try WorkflowCatalogue(workflows: workflows, dataProviders: [])
            let engines = try (0..<count).map { _ in
                Gateway.buildEngine(
                    configuration: GatewayConfiguration(),
                    dependencies: .init(
                        database: database, schema: schema, metrics: PrometheusCollectorRegistry(), tokens: tokens,
                        policy: try AccessPolicy.load(directory: nil), rateLimits: .unlimited, catalogue: catalogue
                    ),
                    logger: TestPostgres.logger
                )
            }
            let caller = Caller(
                organizationID: nil, userID: nil, email: nil, name: nil, isPlatformAdmin: true,
                actor: ExecutionActor(label: "test")
            )
            try await body(database, schema, engines, caller)
        }
    }

    /// Waits (up to two minutes) until no run is `Pending` or `Running`. - Returns: how many still are.
    private func unfinishedAfterWaiting(_ database: PostgresClient) async throws -> Int {
        var unfinished = Int.max
        _ = try await eventually(within: .seconds(120)) {
            let rows = try await database.query(
                "SELECT count(*) FROM executions WHERE status IN ('Pending', 'Running')", logger: TestPostgres.logger
            )
            for try await count in rows.decode(Int.self) { unfinished = count }
            return unfinished == 0
        }
        return unfinished
    }
}

/// Sleeps as long as it is told, so that runs end at different times.
private struct StaggeredRun: Workflow {
    static let configuration = WorkflowConfiguration(
        "staggered_run", description: "Sleeps a few milliseconds", mode: .async, requiresOrganization: false
    )

    @Param(.int) var milliseconds: Int

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        try await Task.sleep(for: .milliseconds(milliseconds))
        return ["ok": true]
    }
}

/// Counts the runs going on at once, and the most there were.
private struct OverlapRun: Workflow {
    static let configuration = WorkflowConfiguration(
        "overlap_run", description: "Counts runs at once", mode: .async, requiresOrganization: false
    )
    static let counts = Mutex<(started: Int, now: Int, peak: Int)>((0, 0, 0))

    @Param(.int) var microseconds: Int

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        Self.counts.withLock { counts in
            counts.started += 1
            counts.now += 1
            counts.peak = max(counts.peak, counts.now)
        }
        defer { Self.counts.withLock { $0.now -= 1 } }
        try await Task.sleep(for: .microseconds(microseconds))
        return ["ok": true]
    }
}

/// Counts how often each execution runs.
private struct CountedRun: Workflow {
    static let configuration = WorkflowConfiguration(
        "counted_run", description: "Counts its runs", mode: .async, requiresOrganization: false)
    static let runs = Mutex<[UUID: Int]>([:])

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        Self.runs.withLock { $0[context.executionID, default: 0] += 1 }
        try await Task.sleep(for: .milliseconds(1))
        return ["ok": true]
    }
}
