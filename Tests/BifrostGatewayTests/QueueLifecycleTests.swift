import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// Queued runs across a replica's life: organisation limits, and a graceful shutdown that hands runs back.
@Suite struct QueueLifecycleTests {
    private func statuses(_ ids: [UUID], on database: PostgresClient) async throws -> [UUID: String] {
        var statuses: [UUID: String] = [:]
        let rows = try await database.query("SELECT id, status FROM executions WHERE id = ANY(\(ids))", logger: TestPostgres.logger)
        for try await (id, status) in rows.decode((UUID, String).self) { statuses[id] = status }
        return statuses
    }

    private func queue(_ engine: ExecutionEngine, _ lines: Int, organization: UUID?) async throws -> UUID {
        let caller = Caller(
            organizationID: organization, userID: nil, email: nil, name: nil, isPlatformAdmin: true,
            actor: ExecutionActor(label: "test")
        )
        guard case .queued(let record) = try await engine.submit("paced_logger", input: ["lines": .int(lines)], caller: caller)
        else { throw CancellationError() }
        return record.id
    }

    @Test func anOrganizationAtItsLimitWaitsWhileOthersRun() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.workers = 6
        configuration.workflows.maxConcurrentRunsPerOrganization = 2
        try await TestPostgres.withDatabase { url in
            try await TestPostgres.withClient(url) { database in
                try await Migrator(client: database, migrations: MigrationCatalog.bundled(), logger: TestPostgres.logger).migrate()
                let busy = try await AuthFixtures.createOrganization("Busy", on: database)
                let quiet = try await AuthFixtures.createOrganization("Quiet", on: database)
                try await SecondReplica.with(database: database, configuration: configuration, extraWorkflows: [PacedLogger.self]) {
                    replica in
                    var busyRuns: [UUID] = []
                    for _ in 0..<6 { busyRuns.append(try await queue(replica.engine, 20, organization: busy)) }
                    let quietRuns = [try await queue(replica.engine, 1, organization: quiet), try await queue(replica.engine, 1, organization: quiet)]
                    var mostRunning = 0
                    var quietDone = false
                    for _ in 0..<400 where !quietDone {
                        let now = try await statuses(busyRuns + quietRuns, on: database)
                        mostRunning = max(mostRunning, busyRuns.filter { now[$0] == "Running" }.count)
                        quietDone = quietRuns.allSatisfy { now[$0] == "Success" }
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    // The quiet organisation's runs, queued last, finished while the busy one's still waited.
                    #expect(quietDone)
                    let after = try await statuses(busyRuns, on: database)
                    #expect(busyRuns.filter { after[$0] == "Pending" }.count >= 2)
                    #expect(mostRunning <= 2)
                    for id in busyRuns { _ = replica.engine.cancel(id) }
                    _ = try await database.query("UPDATE executions SET status = 'Cancelled' WHERE status = 'Pending'", logger: TestPostgres.logger)
                }
            }
        }
    }

    @Test func aGracefulShutdownHandsUnfinishedRunsBackForAnotherReplica() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.drainTimeout = .seconds(2)
        try await TestPostgres.withDatabase { url in
            try await TestPostgres.withClient(url) { database in
                try await Migrator(client: database, migrations: MigrationCatalog.bundled(), logger: TestPostgres.logger).migrate()
                let organization = try await AuthFixtures.createOrganization("A", on: database)
                let jobs = PostgresJobQueue(client: database, logger: TestPostgres.logger)
                let (long, short) = (UUID(), UUID())
                for (id, lines) in [(long, 600), (short, 1)] {
                    try await jobs.enqueue(ExecutionRecord(
                        id: id, workflow: "paced_logger", organizationID: organization, status: .pending,
                        input: ["lines": .int(lines)], startedBy: ExecutionActor(label: "test"), createdAt: Date()
                    ))
                }
                try await SecondReplica.with(database: database, configuration: configuration, extraWorkflows: [PacedLogger.self]) {
                    replica in
                    var now: [UUID: String] = [:]
                    for _ in 0..<300 where now[long] != "Running" || now[short] != "Running" {
                        now = try await statuses([long, short], on: database)
                        try await Task.sleep(for: .milliseconds(10))
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
                for try await (status, attempts, unowned, unstarted, lines) in rows.decode((String, Int32, Bool, Bool, Int).self) {
                    #expect(status == "Pending")
                    #expect(attempts == 0)
                    #expect(unowned && unstarted)
                    #expect(lines == 0)
                }
                #expect(try await statuses([short], on: database)[short] == "Success")

                // Another replica picks it up.
                try await SecondReplica.with(database: database, extraWorkflows: [PacedLogger.self]) { replica in
                    var status = "Pending"
                    for _ in 0..<300 where status == "Pending" {
                        status = try await statuses([long], on: database)[long] ?? ""
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    #expect(status == "Running")
                    _ = replica.engine.cancel(long)
                }
            }
        }
    }
}
