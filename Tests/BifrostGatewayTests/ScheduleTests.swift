import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// Cron slots across replicas, with a clock the test sets: each slot fires once, fans out to every active
/// organisation, and after downtime only the most recent missed slot runs.
@Suite struct ScheduleTests {
    private static let base = ISO8601DateFormatter().date(from: "2030-01-01T00:00:00Z")!

    private func count(_ sql: PostgresQuery, on database: PostgresClient) async throws -> Int {
        for try await value in try await database.query(sql, logger: TestPostgres.logger).decode(Int.self) {
            return value
        }
        return -1
    }

    @Test func eachSlotFiresOnceAcrossReplicasAndFansOutToActiveOrganizations() async throws {
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { database in
                let active = [
                    try await AuthFixtures.createOrganization("A", on: database),
                    try await AuthFixtures.createOrganization("B", on: database),
                ]
                let inactive = try await AuthFixtures.createOrganization("C", on: database)
                try await database.query(
                    "UPDATE organizations SET is_active = false WHERE id = \(inactive)", logger: TestPostgres.logger)

                let catalogue = try WorkflowCatalogue(
                    workflows: [MinutelyReport.self, EvenMinuteSweep.self], dataProviders: [])
                let schedules = PostgresScheduleRepository(client: database, logger: TestPostgres.logger)
                let replicas = (0..<2).map { _ in
                    WorkflowScheduler(
                        catalogue: catalogue, schedules: schedules, instanceID: UUID(), logger: TestPostgres.logger)
                }
                /// Both replicas tick at once; returns how many slots they fired between them.
                func tick(_ seconds: Double) async -> Int {
                    let now = Self.base.addingTimeInterval(seconds)
                    async let first = replicas[0].tick(now: now)
                    async let second = replicas[1].tick(now: now)
                    return await first.count + second.count
                }

                // First seen at 00:00:10: the 00:00 slot came before, and never fires.
                #expect(await tick(10) == 0)
                for minute in 1...4 {
                    #expect(
                        await tick(Double(minute * 60 + 5)) == (minute.isMultiple(of: 2) ? 2 : 1), "minute \(minute)")
                }
                #expect(await tick(4 * 60 + 40) == 0)
                // Down from 00:04 to 00:30: only the 00:30 slot runs, once.
                #expect(await tick(30 * 60 + 5) == 2)
                // A replica started now finds every slot already fired.
                let late = WorkflowScheduler(
                    catalogue: catalogue, schedules: schedules, instanceID: UUID(), logger: TestPostgres.logger)
                #expect(await late.tick(now: Self.base.addingTimeInterval(30 * 60 + 20)).isEmpty)

                #expect(
                    try await count(
                        "SELECT count(*) FROM schedule_slots WHERE workflow = 'minutely_report'", on: database) == 5)
                #expect(
                    try await count(
                        "SELECT count(*) FROM schedule_slots WHERE workflow = 'even_minute_sweep'", on: database) == 3)
                for organization in active {
                    #expect(
                        try await count(
                            """
                            SELECT count(DISTINCT schedule_slot) FROM executions
                            WHERE workflow = 'minutely_report' AND organization_id = \(organization) AND status = 'Pending'
                              AND started_by = 'schedule' AND input = '{"depth": 2}'::jsonb
                            """,
                            on: database
                        ) == 5)
                }
                #expect(
                    try await count("SELECT count(*) FROM executions WHERE workflow = 'minutely_report'", on: database)
                        == 10)
                #expect(
                    try await count("SELECT count(*) FROM executions WHERE organization_id = \(inactive)", on: database)
                        == 0)
                #expect(
                    try await count(
                        "SELECT count(*) FROM executions WHERE workflow = 'even_minute_sweep' AND organization_id IS NULL",
                        on: database
                    ) == 3)
            }
        }
    }

    @Test func schedulesListTheirSlotsAndTheCallersLastStatus() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.workers = 0
        try await GatewayHarness.withGatewayAndDatabase(configuration: configuration) { _, context in
            let orgA = try await AuthFixtures.createOrganization("A", on: context.database)
            let orgB = try await AuthFixtures.createOrganization("B", on: context.database)
            let adminA = try await context.caller(
                try await AuthFixtures.createUser(
                    "a@a.example", role: .orgAdmin, organization: orgA, on: context.database)
            )
            let scheduler = WorkflowScheduler(
                catalogue: context.engine.catalogue,
                schedules: PostgresScheduleRepository(client: context.database, logger: TestPostgres.logger),
                instanceID: UUID(), logger: TestPostgres.logger
            )
            await scheduler.tick(now: Self.base.addingTimeInterval(8 * 3_600))
            let fired = await scheduler.tick(now: Self.base.addingTimeInterval(9 * 3_600 + 30))
            #expect(fired.map(\.slot.workflow) == ["daily_report"])
            #expect(fired.first?.runs == 2)
            // Organisation B's run fails; A's is still waiting.
            try await context.database.query(
                "UPDATE executions SET status = 'Failed' WHERE organization_id = \(orgB)", logger: TestPostgres.logger
            )

            let (status, body) = try await adminA(.get, "/api/schedules")
            #expect(status == .ok)
            let report = try #require((body as? [[String: Any]])?.first { $0["workflow"] as? String == "daily_report" })
            #expect(report["expression"] as? String == "0 9 * * *")
            #expect(report["requires_org"] as? Bool == true)
            #expect(report["last_slot"] as? String == "2030-01-01T09:00:00Z")
            #expect(report["last_status"] as? String == "Pending")
            let next = try #require((report["next_slot"] as? String).flatMap(ISO8601DateFormatter().date(from:)))
            #expect(next > Date() && next.timeIntervalSinceNow <= 86_400)
            #expect(Int(next.timeIntervalSince1970) % 86_400 == 9 * 3_600)
        }
    }
}

/// Runs every minute in each active organisation.
private struct MinutelyReport: Workflow {
    static let configuration = WorkflowConfiguration("minutely_report", description: "", schedule: "* * * * *")
    @Param(.int, default: 2) var depth: Int
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}

/// Runs every even minute, once, in global scope.
private struct EvenMinuteSweep: Workflow {
    static let configuration = WorkflowConfiguration(
        "even_minute_sweep", description: "", schedule: "*/2 * * * *", requiresOrganization: false
    )
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}
