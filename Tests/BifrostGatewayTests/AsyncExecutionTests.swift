import Bifrost
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import Testing

/// Queued runs through the HTTP API: 202 at once, run by the job workers, visible only in their scope.
@Suite struct AsyncExecutionTests {
    private func finalRecord(_ caller: AdminAPITestClient, _ id: String) async throws -> [String: Any] {
        for _ in 0..<500 {
            let (_, body) = try await caller(.get, "/api/executions/\(id)")
            if let record = body as? [String: Any], let status = record["status"] as? String,
                !["Pending", "Running"].contains(status)
            {
                return record
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CancellationError()
    }

    @Test func anAsyncWorkflowIsQueuedRunByAWorkerAndSeenOnlyInItsScope() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            let (status, body) = try await world.memberA(
                .post, "/api/workflows/bulk_import/execute", ["input": ["items": ["a", "b", "c"]]]
            )
            #expect(status == .accepted)
            let accepted = try #require(body as? [String: Any])
            #expect(accepted["status"] as? String == "Pending")
            let id = try #require(accepted["execution_id"] as? String)
            let record = try await finalRecord(world.memberA, id)
            #expect(record["status"] as? String == "Success")
            #expect((record["result"] as? [String: Any])?["imported"] as? Int == 3)
            #expect(record["organization_id"] as? String == world.orgA.uuidString.lowercased())
            #expect(try await world.adminB(.get, "/api/executions/\(id)").status == .notFound)
            let (_, logs) = try await world.memberA(.get, "/api/executions/\(id)/logs")
            #expect((logs as? [[String: Any]])?.isEmpty == false)
        }
    }

    @Test func aSynchronousWorkflowRunsQueuedWhenAskedAndBadInputIsStillRefused() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            let (status, body) = try await world.memberA(
                .post, "/api/workflows/quick_lookup/execute", ["input": ["id": "7"], "mode": "async"]
            )
            #expect(status == .accepted)
            let id = try #require((body as? [String: Any])?["execution_id"] as? String)
            let record = try await finalRecord(world.memberA, id)
            #expect(record["status"] as? String == "Success")
            let refused = try await world.memberA(
                .post, "/api/workflows/bulk_import/execute", ["input": ["items": "x"]])
            #expect(refused.status == .unprocessableContent)
        }
    }

    @Test func aQueuedRunMayBeStartedOnceMoreThanItsDeclaredRetries() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.workers = 0
        try await GatewayHarness.withGatewayAndDatabase(configuration: configuration, extraWorkflows: [Idempotent.self])
        {
            _, context in
            let org = try await AuthFixtures.createOrganization("A", on: context.database)
            let user = try await AuthFixtures.createUser(
                "a@a.example", role: .orgMember, organization: org, on: context.database)
            let member = try await context.caller(user)
            for (workflow, expected) in [("idempotent", 3), ("bulk_import", 1)] {
                let (_, body) = try await member(.post, "/api/workflows/\(workflow)/execute", ["input": ["items": []]])
                let id = try #require(UUID(uuidString: (body as? [String: Any])?["execution_id"] as? String ?? ""))
                let rows = try await context.database.query("SELECT max_attempts FROM executions WHERE id = \(id)")
                for try await attempts in rows.decode(Int32.self) {
                    #expect(attempts == Int32(expected), "\(workflow)")
                }
            }
        }
    }

    @Test func aPendingRunIsCancelledAtOnceAndNeverRuns() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.workers = 0
        try await GatewayHarness.withGatewayAndDatabase(configuration: configuration) { _, context in
            let org = try await AuthFixtures.createOrganization("A", on: context.database)
            let other = try await AuthFixtures.createOrganization("B", on: context.database)
            let user = try await AuthFixtures.createUser(
                "a@a.example", role: .orgMember, organization: org, on: context.database)
            let stranger = try await AuthFixtures.createUser(
                "b@b.example", role: .orgAdmin, organization: other, on: context.database)
            let member = try await context.caller(user)
            let (status, body) = try await member(.post, "/api/workflows/bulk_import/execute", ["input": ["items": []]])
            #expect(status == .accepted)
            let id = try #require((body as? [String: Any])?["execution_id"] as? String)
            #expect(try await context.caller(stranger)(.post, "/api/executions/\(id)/cancel").status == .notFound)
            #expect(try await member(.post, "/api/executions/\(id)/cancel").status == .accepted)
            let (_, record) = try await member(.get, "/api/executions/\(id)")
            #expect((record as? [String: Any])?["status"] as? String == "Cancelled")
            #expect(try await member(.post, "/api/executions/\(id)/cancel").status == .conflict)
        }
    }
}

/// A queued workflow that declares two retries.
private struct Idempotent: Workflow {
    static let configuration = WorkflowConfiguration(
        "idempotent", description: "Safe to repeat", mode: .async, retries: 2)
    @Param(.list) var items: [JSONValue]
    func run(_ context: ExecutionContext) async throws -> JSONValue { ["count": .int(items.count)] }
}
