import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// Queued runs across a replica's life: organisation limits, and a graceful shutdown that hands runs back.
@Suite struct QueueLifecycleTests {
    private func statuses(_ ids: [UUID], on database: PostgresClient) async throws -> [UUID: String] {
        var statuses: [UUID: String] = [:]
        let rows = try await database.query(
            "SELECT id, status FROM executions WHERE id = ANY(\(ids))", logger: TestPostgres.logger)
        for try await (id, status) in rows.decode((UUID, String).self) { statuses[id] = status }
        return statuses
    }

    private func queue(
        _ engine: ExecutionEngine, _ workflow: String, _ input: [String: JSONValue], organization: UUID?
    ) async throws -> UUID {
        let caller = Caller(
            organizationID: organization, userID: nil, email: nil, name: nil, isPlatformAdmin: true,
            actor: ExecutionActor(label: "test")
        )
        guard case .queued(let record) = try await engine.submit(workflow, input: input, caller: caller)
        else { throw CancellationError() }
        return record.id
    }

    /// The limit is on runs executing, measured inside the workflow. Rows marked `Running` can briefly be more:
    /// a claim that outlives its deadline on a loaded machine still commits, and its jobs wait, `Running` but not
    /// run, until the orphan check hands them back (`runsALiveProcessHoldsButNoLongerRunsAreRecoveredAfterTheGrace`).
    @Test func anOrganizationAtItsLimitWaitsWhileOthersRun() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.workers = 6
        configuration.workflows.maxConcurrentRunsPerOrganization = 2
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { database in
                let busy = try await AuthFixtures.createOrganization("Busy", on: database)
                let quiet = try await AuthFixtures.createOrganization("Quiet", on: database)
                try await SecondReplica.with(
                    database: database, configuration: configuration, extraWorkflows: [CountedPause.self]
                ) {
                    replica in
                    var busyRuns: [UUID] = []
                    for _ in 0..<6 {
                        busyRuns.append(
                            try await queue(replica.engine, "counted_pause", ["seconds": .int(10)], organization: busy))
                    }
                    let quietRuns = [
                        try await queue(replica.engine, "counted_pause", ["seconds": .int(0)], organization: quiet),
                        try await queue(replica.engine, "counted_pause", ["seconds": .int(0)], organization: quiet),
                    ]
                    // The quiet organisation's runs, queued last, finish while the busy one's still wait.
                    #expect(
                        try await eventually {
                            try await statuses(quietRuns, on: database).values.allSatisfy { $0 == "Success" }
                        })
                    let after = try await statuses(busyRuns, on: database)
                    #expect(busyRuns.filter { after[$0] == "Pending" }.count >= 2)
                    for id in busyRuns { _ = replica.engine.cancel(id) }
                    _ = try await database.query(
                        "UPDATE executions SET status = 'Cancelled' WHERE status = 'Pending'",
                        logger: TestPostgres.logger)
                    #expect(CountedPause.mostAtOnce(in: busy) == 2)
                    #expect(CountedPause.mostAtOnce(in: quiet) >= 1)
                }
            }
        }
    }

    @Test func aGracefulShutdownHandsUnfinishedRunsBackForAnotherReplica() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.drainTimeout = .seconds(2)
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { database in
                let organization = try await AuthFixtures.createOrganization("A", on: database)
                let jobs = PostgresJobQueue(client: database, logger: TestPostgres.logger)
                let (long, short) = (UUID(), UUID())
                for (id, lines) in [(long, 600), (short, 1)] {
                    try await jobs.enqueue(
                        ExecutionRecord(
                            id: id, workflow: "paced_logger", organizationID: organization, status: .pending,
                            input: ["lines": .int(lines)], startedBy: ExecutionActor(label: "test"), createdAt: Date()
                        ))
                }
                try await SecondReplica.with(
                    database: database, configuration: configuration, extraWorkflows: [PacedLogger.self]
                ) {
                    replica in
                    // The short run may be over before the long one is seen running (a loaded machine claims
                    // them apart): either way it is done within the drain.
                    _ = try await eventually {
                        let now = try await statuses([long, short], on: database)
                        return now[long] == "Running" && (now[short] == "Running" || now[short] == "Success")
                    }
                    await replica.shutDownGracefully()
                }
                // The short run finished within the drain; the long one is back in the queue, as never started.
                let rows = try await database.query(
                    """
                    SELECT status, attempts, owner_instance IS NULL, started_at IS NULL,
                           (SELECT count(*) FROM execution_logs WHERE execution_id = id)
                    FROM executions WHERE id = \(long)
                    """,
                    logger: TestPostgres.logger
                )
                for try await (status, attempts, unowned, unstarted, lines) in rows.decode(
                    (String, Int32, Bool, Bool, Int).self)
                {
                    #expect(status == "Pending")
                    #expect(attempts == 0)
                    #expect(unowned && unstarted)
                    #expect(lines == 0)
                }
                #expect(try await statuses([short], on: database)[short] == "Success")

                // Another replica picks it up.
                try await SecondReplica.with(database: database, extraWorkflows: [PacedLogger.self]) { replica in
                    var status = "Pending"
                    _ = try await eventually {
                        status = try await statuses([long], on: database)[long] ?? ""
                        return status != "Pending"
                    }
                    #expect(status == "Running")
                    _ = replica.engine.cancel(long)
                }
            }
        }
    }
}

/// A queued workflow that pauses `seconds` and keeps, per organisation, the most runs of it executing at once.
private struct CountedPause: Workflow {
    static let configuration = WorkflowConfiguration(
        "counted_pause", description: "Pauses, counted", mode: .async, timeout: .seconds(120)
    )
    @Param(.int) var seconds: Int

    private static let counts = Mutex<[UUID?: (now: Int, most: Int)]>([:])

    static func mostAtOnce(in organization: UUID?) -> Int { counts.withLock { $0[organization]?.most ?? 0 } }

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        Self.counts.withLock { counts in
            var count = counts[context.orgID, default: (0, 0)]
            count.now += 1
            count.most = max(count.most, count.now)
            counts[context.orgID] = count
        }
        defer { Self.counts.withLock { $0[context.orgID]?.now -= 1 } }
        try await Task.sleep(for: .seconds(max(0, min(seconds, 60))))
        return [:]
    }
}
