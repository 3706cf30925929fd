import Bifrost
import BifrostStore
import BifrostTestSupport
import Foundation
import Testing

/// What a workflow produces is recorded even when it holds U+0000, which PostgreSQL cannot store: the character is
/// written as U+FFFD, and the run's record, result, error and log are all there, synchronous or queued.
@Suite struct StorableOutputTests {
    @Test func resultsErrorsAndLogLinesHoldingNULAreRecorded() async throws {
        try await GatewayHarness.withGatewayAndDatabase(extraWorkflows: [NULProducer.self]) { _, context in
            let org = try await AuthFixtures.createOrganization("A", on: context.database)
            let admin = try await context.caller(
                try await AuthFixtures.createUser(
                    "a@a.example", role: .orgAdmin, organization: org, on: context.database)
            )
            for (fail, mode) in [(false, "sync"), (true, "sync"), (false, "async")] {
                let (status, body) = try await admin(
                    .post, "/api/workflows/nul_producer/execute", ["input": ["fail": fail], "mode": mode]
                )
                #expect(status == (mode == "sync" ? .ok : .accepted), "\(String(describing: body))")
                let id = try #require((body as? [String: Any])?["execution_id"] as? String)
                let record = try await Self.finished(id, admin)
                #expect(record["status"] as? String == (fail ? "Failed" : "Success"))
                if fail {
                    #expect(record["error"] as? String == "bad\u{FFFD}thing")
                } else {
                    let result = try #require(record["result"] as? [String: Any])
                    #expect(result["text\u{FFFD}key"] as? String == "a\u{FFFD}b")
                }
                let logs = try #require(try await admin(.get, "/api/executions/\(id)/logs").json as? [[String: Any]])
                #expect(logs.compactMap { $0["message"] as? String } == ["line\u{FFFD}one"])
            }
        }
    }

    /// The run's record once it has finished (queued runs finish on the harness's workers).
    static func finished(_ id: String, _ caller: AdminAPITestClient) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let record = try #require(try await caller(.get, "/api/executions/\(id)").json as? [String: Any])
            let status = record["status"] as? String
            if status != "Pending", status != "Running" { return record }
            guard ContinuousClock.now < deadline else { return record }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Produces U+0000 in its log, its result's key and value, or its error.
private struct NULProducer: Workflow {
    static let configuration = WorkflowConfiguration("nul_producer", description: "Writes U+0000 everywhere")

    @Param(.bool) var fail: Bool

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        context.logger.info("line\u{0}one")
        if fail { throw WorkflowError("bad\u{0}thing") }
        return ["text\u{0}key": "a\u{0}b"]
    }
}
