import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// `GET /api/executions/{id}/stream` and cancellation, with the run on another replica: everything reaches the
/// caller through PostgreSQL, none through this process's memory.
@Suite struct ExecutionStreamTests {
    /// One Server-Sent Event.
    struct Event {
        var id: Int?
        var name: String
        var data: [String: Any]
    }

    private func stream(
        _ context: GatewayHarness.Context, as user: User, _ id: String, lastEventID: Int? = nil
    ) async throws -> (HTTPResponse.Status, [Event]) {
        var headers: HTTPFields = [.authorization: "Bearer \(try await context.token(for: user))"]
        if let lastEventID { headers[HTTPField.Name("Last-Event-ID")!] = "\(lastEventID)" }
        return try await context.client.execute(uri: "/api/executions/\(id)/stream", method: .get, headers: headers) {
            response in
            guard response.status == .ok else { return (response.status, []) }
            #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            return (response.status, Self.events(String(buffer: response.body)))
        }
    }

    static func events(_ text: String) -> [Event] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var event = Event(id: nil, name: "message", data: [:])
            var sawData = false
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { event.id = Int(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event.name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: "),
                    let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))
                {
                    event.data = object as? [String: Any] ?? [:]
                    sawData = true
                }
            }
            return sawData ? event : nil
        }
    }

    private func queue(_ caller: AdminAPITestClient, _ workflow: String, _ input: [String: Any] = [:]) async throws
        -> String
    {
        let (status, body) = try await caller(
            .post, "/api/workflows/\(workflow)/execute", ["input": input, "mode": "async"])
        #expect(status == .accepted)
        return try #require((body as? [String: Any])?["execution_id"] as? String)
    }

    @Test func aStreamShowsEveryLineAndEndsWithTheFinalStatusOfARunOnAnotherReplica() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.workers = 0  // this replica runs nothing: the other one runs every job
        let workflows: [any Workflow.Type] = [PacedLogger.self, GatedLogger.self]
        try await GatewayHarness.withGatewayAndDatabase(configuration: configuration, extraWorkflows: workflows) {
            _, context in
            try await SecondReplica.with(database: context.database, extraWorkflows: workflows) { _ in
                let org = try await AuthFixtures.createOrganization("A", on: context.database)
                let other = try await AuthFixtures.createOrganization("B", on: context.database)
                let user = try await AuthFixtures.createUser(
                    "a@a.example", role: .orgMember, organization: org, on: context.database)
                let stranger = try await AuthFixtures.createUser(
                    "b@b.example", role: .orgAdmin, organization: other, on: context.database)
                let member = try await context.caller(user)

                // The seed's logging example: every line but the debug one, then the final status.
                let processed = try await queue(member, "process_data")
                let (status, events) = try await stream(context, as: user, processed)
                #expect(status == .ok)
                let lines = events.filter { $0.name == "log" }
                #expect(
                    lines.map { $0.data["message"] as? String } == [
                        "Processing item 1 of 10...", "Item 5 failed, continuing...", "Critical failure detected",
                    ])
                #expect(lines.map(\.id) == [2, 3, 4])
                #expect(events.last?.name == "status")
                #expect(events.last?.data["status"] as? String == "Success")

                // A run that logs as it goes, watched from before it starts: the state first, every line, the end.
                // It starts once its stream has registered its watch (with its first read of the run).
                let paced = try await queue(member, "gated_logger", ["lines": 4])
                async let watched = stream(context, as: user, paced)
                #expect(try await watchCount(of: paced, context.database, within: .seconds(60)) > 0)
                GatedLogger.gates.open(try #require(UUID(uuidString: paced)))
                let (_, live) = try await watched
                #expect(["Pending", "Running"].contains(live.first?.data["status"] as? String))
                #expect(
                    live.filter { $0.name == "log" }.map { $0.data["message"] as? String } == [
                        "step 1", "step 2", "step 3", "step 4",
                    ])
                #expect(live.last?.data["status"] as? String == "Success")
                #expect(live.filter { $0.name == "status" && $0.data["status"] as? String == "Success" }.count == 1)

                // Resuming after line 2 sends only what came after it.
                let (_, resumed) = try await stream(context, as: user, paced, lastEventID: 2)
                #expect(resumed.filter { $0.name == "log" }.map(\.id) == [3, 4])
                #expect(resumed.last?.data["status"] as? String == "Success")

                // Another organisation's caller cannot see the run, streamed or not.
                #expect(try await stream(context, as: stranger, paced).0 == .notFound)
                #expect(try await stream(context, as: user, UUID().uuidString).0 == .notFound)

                // Each stream registered a watch (so that replicas notify its run's changes) and forgot it at its end.
                #expect(try await watchesLeft(context.database, within: .seconds(60)) == 0)
            }
        }
    }

    /// How many feeds watch run `id` once one does, or `limit` has passed.
    private func watchCount(of id: String, _ database: PostgresClient, within limit: Duration) async throws -> Int {
        var count = 0
        _ = try await eventually(within: limit) {
            let rows = try await database.query(
                "SELECT count(*) FROM execution_watches WHERE execution_id = \(UUID(uuidString: id))",
                logger: TestPostgres.logger
            )
            for try await value in rows.decode(Int.self) { count = value }
            return count > 0
        }
        return count
    }

    /// How many feeds are registered in `execution_watches` once none is, or `limit` has passed.
    private func watchesLeft(_ database: PostgresClient, within limit: Duration) async throws -> Int {
        var count = 0
        _ = try await eventually(within: limit) {
            for try await value in try await database.query(
                "SELECT count(*) FROM execution_watches", logger: TestPostgres.logger
            )
            .decode(Int.self) { count = value }
            return count == 0
        }
        return count
    }

    @Test func aRunningRunIsCancelledOnWhicheverReplicaRunsIt() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.workers = 0
        try await GatewayHarness.withGatewayAndDatabase(
            configuration: configuration, extraWorkflows: [PacedLogger.self]
        ) {
            _, context in
            try await SecondReplica.with(database: context.database, extraWorkflows: [PacedLogger.self]) { _ in
                let org = try await AuthFixtures.createOrganization("A", on: context.database)
                let user = try await AuthFixtures.createUser(
                    "a@a.example", role: .orgAdmin, organization: org, on: context.database)
                let admin = try await context.caller(user)
                let id = try await queue(admin, "paced_logger", ["lines": 600])
                var status = "Pending"
                _ = try await eventually {
                    status =
                        (try await admin(.get, "/api/executions/\(id)").json as? [String: Any])?["status"] as? String
                        ?? ""
                    return status != "Pending"
                }
                #expect(status == "Running")
                #expect(try await admin(.post, "/api/executions/\(id)/cancel").status == .accepted)
                let (_, events) = try await stream(context, as: user, id)
                #expect(events.last?.data["status"] as? String == "Cancelled")
                // A stream that ended watches nothing any more.
                #expect(context.engine.watchers.count == 0)
            }
        }
    }
}

/// An async workflow that logs `lines` lines, 100 ms apart.
struct PacedLogger: Workflow {
    static let configuration = WorkflowConfiguration(
        "paced_logger", description: "Logs as it goes", mode: .async, timeout: .seconds(120)
    )
    @Param(.int) var lines: Int

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        for line in 1...max(1, lines) {
            try await Task.sleep(for: .milliseconds(100))
            context.logger.info("step \(line)")
        }
        return ["lines": .int(lines)]
    }
}
