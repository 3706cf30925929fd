import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import PostgresNIO
import Testing

/// Cancellation, limits and crash recovery of runs.
@Suite struct ExecutionLifecycleTests {
    private func runningExecution(_ caller: AdminAPITestClient) async throws -> String {
        var id: String?
        _ = try await eventually {
            let (_, page) = try await caller(.get, "/api/executions?status=Running")
            id = ((page as? [String: Any])?["items"] as? [[String: Any]])?.first?["id"] as? String
            return id != nil
        }
        return try #require(id, "no run started running")
    }

    @Test func aRunningExecutionIsCancelledFromAnotherRequest() async throws {
        try await GatewayHarness.withGatewayAndDatabase(extraWorkflows: [Sleeper.self]) { client, context in
            let org = try await AuthFixtures.createOrganization("A", on: context.database)
            let other = try await AuthFixtures.createOrganization("B", on: context.database)
            let user = try await AuthFixtures.createUser(
                "a@a.example", role: .orgMember, organization: org, on: context.database)
            let stranger = try await AuthFixtures.createUser(
                "b@b.example", role: .orgAdmin, organization: other, on: context.database)
            let member = try await context.caller(user)
            let outsider = try await context.caller(stranger)
            async let run = member(.post, "/api/workflows/sleeper/execute", ["input": [:] as [String: Any]])
            let id = try await runningExecution(member)
            #expect(try await outsider(.post, "/api/executions/\(id)/cancel").status == .notFound)
            #expect(try await member(.post, "/api/executions/\(id)/cancel").status == .accepted)
            let (status, body) = try await run
            #expect(status == .ok)
            #expect((body as? [String: Any])?["status"] as? String == "Cancelled")
            let (_, record) = try await member(.get, "/api/executions/\(id)")
            #expect((record as? [String: Any])?["status"] as? String == "Cancelled")
            #expect(try await member(.post, "/api/executions/\(id)/cancel").status == .conflict)
        }
    }

    @Test func runsBeyondTheOrganisationsLimitAreRefusedWith429() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.maxConcurrentRunsPerOrganization = 1
        try await GatewayHarness.withGatewayAndDatabase(configuration: configuration, extraWorkflows: [Sleeper.self]) {
            client, context in
            let orgA = try await AuthFixtures.createOrganization("A", on: context.database)
            let orgB = try await AuthFixtures.createOrganization("B", on: context.database)
            let userA = try await AuthFixtures.createUser(
                "a@a.example", role: .orgMember, organization: orgA, on: context.database)
            let userB = try await AuthFixtures.createUser(
                "b@b.example", role: .orgMember, organization: orgB, on: context.database)
            let callerA = try await context.caller(userA)
            let callerB = try await context.caller(userB)
            async let long = callerA(.post, "/api/workflows/sleeper/execute", ["input": [:] as [String: Any]])
            let running = try await runningExecution(callerA)
            let refused = try await callerA(.post, "/api/workflows/quick_lookup/execute", ["input": ["id": "1"]])
            #expect(refused.status == .tooManyRequests)
            // Another organisation is not held up by A's run.
            #expect(
                try await callerB(.post, "/api/workflows/quick_lookup/execute", ["input": ["id": "1"]]).status == .ok)
            #expect(try await callerA(.post, "/api/executions/\(running)/cancel").status == .accepted)
            #expect(((try await long).json as? [String: Any])?["status"] as? String == "Cancelled")
            #expect(
                try await callerA(.post, "/api/workflows/quick_lookup/execute", ["input": ["id": "1"]]).status == .ok)
        }
    }

    @Test func aResultLargerThanTheLimitFailsTheRun() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.maxResultSize = 1_024
        try await GatewayHarness.withGatewayAndDatabase(configuration: configuration) { client, context in
            let org = try await AuthFixtures.createOrganization("A", on: context.database)
            let user = try await AuthFixtures.createUser(
                "a@a.example", role: .orgMember, organization: org, on: context.database)
            let caller = try await context.caller(user)
            let items = (0..<100).map { ["id": "item-\($0)"] }
            let (_, body) = try await caller(.post, "/api/workflows/process_items/execute", ["input": ["items": items]])
            let result = try #require(body as? [String: Any])
            #expect(result["status"] as? String == "Failed")
            #expect((result["error"] as? String)?.contains("more than the limit of 1024") == true)
            let small = try await caller(
                .post, "/api/workflows/process_items/execute", ["input": ["items": [["id": 1]]]])
            #expect((small.json as? [String: Any])?["status"] as? String == "Success")
        }
    }

    @Test func runsOfAProcessThatDiedAreClosedAsFailed() async throws {
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { client in
                let executions = PostgresExecutionRepository(client: client, logger: TestPostgres.logger)
                let instances = PostgresInstanceRepository(client: client, logger: TestPostgres.logger)
                let (alive, silent, unknown) = (UUID(), UUID(), UUID())
                try await instances.heartbeat(alive)
                try await instances.heartbeat(silent)
                try await client.query(
                    "UPDATE gateway_instances SET heartbeat_at = now() - interval '5 minutes' WHERE id = \(silent)")
                var ids: [UUID: UUID] = [:]
                for owner in [alive, silent, unknown] {
                    let record = ExecutionRecord(
                        id: UUID(), workflow: "wait_for", organizationID: nil, status: .running, input: [:],
                        startedBy: ExecutionActor(label: "test"), createdAt: Date(), startedAt: Date()
                    )
                    try await executions.start(record, owner: owner)
                    ids[owner] = record.id
                }
                let closed = try await instances.closeAbandonedRuns(staleAfter: .seconds(60), reason: "process stopped")
                #expect(closed == 2)
                let everything = ExecutionVisibility(.everything)
                #expect(try await executions.get(ids[alive]!, everything)?.status == .running)
                for owner in [silent, unknown] {
                    let record = try await executions.get(ids[owner]!, everything)
                    #expect(record?.status == .failed)
                    #expect(record?.error == "process stopped")
                    #expect(record?.finishedAt != nil)
                }
            }
        }
    }
}

/// Sleeps for a minute unless cancelled: long enough for a test to find it running, however loaded the machine.
struct Sleeper: Workflow {
    static let configuration = WorkflowConfiguration("sleeper", description: "Sleeps", timeout: .seconds(120))
    func run(_ context: ExecutionContext) async throws -> JSONValue {
        try await Task.sleep(for: .seconds(60))
        return ["slept": true]
    }
}
