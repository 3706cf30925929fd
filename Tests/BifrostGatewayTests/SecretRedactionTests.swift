import Bifrost
import BifrostStore
import BifrostTestSupport
import Foundation
import Testing

/// A run that reads a secret: it gets the value, and the value is hidden from its log, result and error, and from
/// the gateway's own log.
@Suite struct SecretRedactionTests {
    @Test func aSecretARunReadIsRedactedEverywhereItCouldLeak() async throws {
        let capture = LogCapture()
        try await GatewayHarness.withGatewayAndDatabase(
            logger: capture.logger(level: .trace)
        ) {
            _, context in
            let org = try await AuthFixtures.createOrganization("A", on: context.database)
            let admin = try await context.caller(
                try await AuthFixtures.createUser(
                    "a@a.example", role: .orgAdmin, organization: org, on: context.database)
            )
            let value = "tok-\(UUID().uuidString)"
            #expect(try await admin(.put, "/api/secrets/api_token", ["value": value]).status == .created)

            let (_, checked) = try await admin(
                .post, "/api/workflows/check_secret/execute", ["input": ["name": "api_token"]])
            #expect(((checked as? [String: Any])?["result"] as? [String: Any])?["length"] as? Int == value.count)

            let (status, body) = try await admin(.post, "/api/workflows/leaky_secret/execute", ["input": [:]])
            #expect(status == .ok)
            let run = try #require(body as? [String: Any])
            let id = try #require(run["execution_id"] as? String)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: run), as: UTF8.self)
            #expect(!text.contains(value))
            #expect((run["result"] as? [String: Any])?["token"] as? String == "[REDACTED]")
            #expect((run["result"] as? [String: Any])?["length"] as? Int == value.count)
            let (_, logs) = try await admin(.get, "/api/executions/\(id)/logs")
            let lines = try #require(logs as? [[String: Any]]).compactMap { $0["message"] as? String }
            #expect(lines == ["using [REDACTED] now"])
            #expect(!capture.all.contains { $0.message.contains(value) })
            // Metadata the run attaches is hidden the same way before it reaches the gateway's log.
            let forwarded = try #require(capture.all.first { $0.message == "using [REDACTED] now" })
            #expect(!"\(forwarded.metadata)".contains(value))
            #expect("\(forwarded.metadata)".contains("[REDACTED]"))
            #expect(capture.all.contains { $0.message == "using [REDACTED] now" })
        }
    }
}
