import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// Issue 25: `bifrost serve` with tracing on exports its spans over OTLP/HTTP to a real receiver, which decodes
/// them with OpenTelemetry's protocol definitions. One sync run, one queued run and one run calling the fake Graph
/// through the SDK's client, each checked as a span tree; no exported attribute holds a secret, token or password.
@Suite struct TracingTests {
    /// What every traced gateway here is started with: every trace kept, batches sent every 100 ms.
    static func tracing(to receiver: OTLPReceiver) -> [String: String] {
        [
            "BIFROST_TRACING_ENABLED": "true", "BIFROST_TRACING_ENDPOINT": receiver.endpoint,
            "BIFROST_TRACING_SAMPLE_RATIO": "1", "OTEL_BSP_SCHEDULE_DELAY": "100",
        ]
    }

    @Test func syncAndQueuedRunsAreSpanTreesAndNoSecretIsExported() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "bifrost-otlp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await OTLPReceiver.with(in: folder) { receiver in
            try await RunningGateway.with(environment: Self.tracing(to: receiver)) { gateway, database in
                let platform = APICaller(base: gateway.baseURL, token: gateway.adminToken)
                let organization = try #require(
                    try await platform(.POST, "/api/organizations", ["name": "Contoso"]).object["id"] as? String)
                let admin = platform.inOrganization(organization)
                let secret = "otlp-secret-\(UUID().uuidString.prefix(8))"
                #expect(try await admin(.PUT, "/api/secrets/api_token", ["value": secret]).status == 201)

                // A sync run of the leaking workflow, continuing the caller's trace.
                let callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
                let sync = try await admin(
                    .POST, "/api/workflows/leaky_secret/execute", ["input": [:]],
                    headers: ["traceparent": "00-\(callerTrace)-00f067aa0ba902b7-01"])
                #expect(sync.status == 200, "\(sync.object)")
                #expect(sync.headers.first(name: "traceresponse")?.contains(callerTrace) == true)
                let server = try await span(in: receiver) {
                    $0.traceID == callerTrace && $0.kind == 2 && $0.attributes["http.route"] != nil
                }
                #expect(server.name == "POST /api/workflows/{name}/execute")
                #expect(server.parentSpanID == "00f067aa0ba902b7")
                #expect(server.attributes["http.response.status_code"] == "200")
                let run = try await span(in: receiver) {
                    $0.traceID == callerTrace && $0.name == "workflow leaky_secret"
                }
                #expect(run.parentSpanID == server.spanID)
                #expect(run.attributes["bifrost.execution.mode"] == "sync")
                #expect(run.attributes["bifrost.execution.status"] == "Success")
                let authentication = try await span(in: receiver) {
                    $0.traceID == callerTrace && $0.name == "authenticate"
                }
                #expect(authentication.parentSpanID == server.spanID)
                #expect(authentication.attributes["bifrost.principal.kind"] == "user")
                let secretRead = try await span(in: receiver) {
                    $0.traceID == callerTrace && $0.name == "SELECT secrets"
                }
                #expect(secretRead.parentSpanID == run.spanID)
                #expect(secretRead.attributes["db.system.name"] == "postgresql")
                #expect(secretRead.kind == 3)
                let recorded = try await span(in: receiver) {
                    $0.traceID == callerTrace && $0.name == "INSERT executions" && $0.parentSpanID == run.spanID
                }
                #expect(recorded.attributes["db.collection.name"] == "executions")

                // The run's row carries the trace id.
                let executionID = try #require(sync.object["execution_id"] as? String ?? sync.object["id"] as? String)
                #expect(run.attributes["bifrost.execution.id"] == executionID)
                try await TestPostgres.withClient(database) { client in
                    let rows = try await client.query(
                        "SELECT trace_id FROM executions WHERE id = \(try #require(UUID(uuidString: executionID)))",
                        logger: TestPostgres.logger)
                    var stored: [String?] = []
                    for try await traceID in rows.decode(String?.self) { stored.append(traceID) }
                    #expect(stored == [callerTrace])
                }

                // A queued run: a trace of its own, linked to the request that queued it.
                let queued = try await admin(
                    .POST, "/api/workflows/check_secret/execute", ["input": ["name": "api_token"], "mode": "async"])
                #expect(queued.status == 202, "\(queued.object)")
                let queuedID = try #require(queued.object["execution_id"] as? String ?? queued.object["id"] as? String)
                let enqueue = try await span(in: receiver) {
                    $0.kind == 2 && $0.attributes["http.route"] == "/api/workflows/{name}/execute"
                        && $0.attributes["http.response.status_code"] == "202"
                }
                let queuedRun = try await span(in: receiver) {
                    $0.name == "workflow check_secret" && $0.attributes["bifrost.execution.id"] == queuedID
                }
                #expect(queuedRun.attributes["bifrost.execution.mode"] == "async")
                #expect(queuedRun.parentSpanID.isEmpty || queuedRun.parentSpanID == String(repeating: "0", count: 16))
                #expect(queuedRun.traceID != enqueue.traceID)
                #expect(queuedRun.links.contains { $0.traceID == enqueue.traceID && $0.spanID == enqueue.spanID })
                // Its outcome is written inside its span (the secret it read came from the replica's cache).
                _ = try await span(in: receiver) {
                    $0.traceID == queuedRun.traceID && $0.name == "INSERT executions"
                        && $0.parentSpanID == queuedRun.spanID
                }

                // The log lines of the run carry its trace id.
                #expect(
                    await gateway.process.says("bifrost.trace.id=\(callerTrace)")
                        || gateway.process.output.contains(callerTrace))

                // Nothing exported holds the secret, the admin's token or a password.
                #expect(!receiver.rawOutput.contains(secret))
                #expect(!receiver.rawOutput.contains(gateway.adminToken))
                #expect(!receiver.rawOutput.lowercased().contains("password"))
            }
        }
    }

    @Test func aRunCallingGraphThroughTheSDKIsTracedToTheProviderAndPropagatesItsTrace() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "bifrost-otlp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await FakeOAuthProvider.withProvider { provider in
            try await OTLPReceiver.with(in: folder) { receiver in
                try await OAuthGateway.with(provider, environment: Self.tracing(to: receiver)) { world in
                    let (_, admin) = try await world.organization("Contoso")
                    #expect(
                        try await admin(.POST, "/api/oauth/connections", OAuthGateway.connection("microsoft", provider))
                            .status == 201)
                    let listed = try await admin(.POST, "/api/workflows/list_m365_users/execute", ["input": [:]])
                    #expect(OAuthGateway.emails(listed.object).count == 2, "\(listed.object)")
                    let trace = try #require(
                        listed.headers.first(name: "traceresponse").flatMap {
                            $0.split(separator: "-").dropFirst().first
                        }
                        .map(String.init))

                    let run = try await span(in: receiver) {
                        $0.traceID == trace && $0.name == "workflow list_m365_users"
                    }
                    let token = try await span(in: receiver) { $0.traceID == trace && $0.name == "oauth token" }
                    #expect(token.parentSpanID == run.spanID)
                    #expect(token.attributes["bifrost.oauth.outcome"] == "looked_up")
                    let tokenRequest = try await span(in: receiver) {
                        $0.traceID == trace && $0.name == "POST token endpoint"
                    }
                    #expect(tokenRequest.attributes["server.address"] == "127.0.0.1")
                    #expect(tokenRequest.attributes["http.response.status_code"] == "200")
                    let graph = try await span(in: receiver) {
                        $0.traceID == trace && $0.name == "HTTP GET" && $0.parentSpanID == run.spanID
                    }
                    #expect(graph.kind == 3)
                    #expect(graph.attributes["server.address"] == "127.0.0.1")
                    #expect(graph.attributes["http.response.status_code"] == "200")
                    // The address's path and query (`$select=…`) are not recorded.
                    #expect(!graph.attributes.values.contains { $0.contains("v1.0/users") || $0.contains("select") })
                    // The provider saw the trace: its token and Graph requests carried their spans' traceparent.
                    #expect(provider.traceParents.contains { $0.contains("\(trace)-\(graph.spanID)") })
                    #expect(provider.traceParents.contains { $0.contains("\(trace)-\(tokenRequest.spanID)") })

                    for issued in provider.issuedTokens { #expect(!receiver.rawOutput.contains(issued)) }
                    #expect(!receiver.rawOutput.contains(provider.clientSecret))
                }
            }
        }
    }

    /// The first span `matches` picks, once the receiver has it.
    private func span(in receiver: OTLPReceiver, _ matches: @escaping (OTLPReceiver.Span) -> Bool) async throws
        -> OTLPReceiver.Span
    {
        _ = try await eventually(within: .seconds(30)) { receiver.spans.contains(where: matches) }
        return try #require(receiver.spans.first(where: matches), "no such span among \(receiver.spans.map(\.name))")
    }
}
