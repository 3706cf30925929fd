import BifrostStore
import BifrostTestSupport
import Foundation
import NIOHTTP1
import PostgresNIO
import Testing

/// Input no request may use to stop the process or reach the database unchecked, sent to a real `bifrost serve`:
/// out-of-range numbers, over-long and malformed strings, and U+0000, each answered 422 naming the field, with the
/// same process still serving afterwards.
@Suite struct InputBoundaryTests {
    @Test func outOfRangeLimitsAreRefusedAndTheProcessLivesOn() async throws {
        try await RunningGateway.with { gateway, _ in
            let call = GatewayCaller(gateway)
            let pid = gateway.process.pid
            for limit in ["-1", "0", "501", "9223372036854775807", "99999999999999999999", "abc", "1e3", ""] {
                let (status, body) = try await call(.GET, "/api/executions?limit=\(limit)")
                #expect(status == 422, "limit=\(limit): \(body)")
                #expect(Self.fields(body) == ["limit"], "limit=\(limit): \(body)")
            }
            for limit in ["-1", "1001"] {
                let (status, body) = try await call(.GET, "/api/audit?limit=\(limit)")
                #expect(status == 422 && Self.fields(body) == ["limit"], "\(body)")
            }
            #expect(try await call(.GET, "/api/executions?limit=500").status == 200)
            #expect(gateway.process.isRunning && gateway.process.pid == pid)
            #expect(try await ServerProcess.status(of: "\(gateway.baseURL)/health/live") == 200)
        }
    }

    @Test func bodyConstraintsOfTheContractAreEnforced() async throws {
        try await RunningGateway.with { gateway, url in
            let call = GatewayCaller(gateway)
            let short = try await call(
                .POST, "/api/users", ["email": "new@msp.example", "role": "platform_admin", "password": "short"])
            #expect(short.status == 422 && Self.fields(short.body) == ["password"], "\(short.body)")

            let longAddress = String(repeating: "a", count: 400) + "@msp.example"
            let login = try await ServerProcess.send(
                .POST, "\(gateway.baseURL)/auth/login", json: ["email": longAddress, "password": "x"])
            #expect(login.0 == 422 && Self.fields(login.1) == ["email"], "\(login.1)")

            for name in [String(repeating: "n", count: 201), String(repeating: "e\u{301}", count: 150), ""] {
                let created = try await call(.POST, "/api/organizations", ["name": name])
                #expect(created.status == 422 && Self.fields(created.body) == ["name"], "\(created.body)")
            }
            let scopes = try await call(
                .POST, "/api/oauth/connections",
                [
                    "name": "wide", "provider": "generic", "flow": "client_credentials", "client_id": "c",
                    "token_url": "https://idp.example/token", "scopes": Array(repeating: "s", count: 101),
                ])
            #expect(scopes.status == 422 && Self.fields(scopes.body) == ["scopes"], "\(scopes.body)")

            try await TestPostgres.withClient(url) { client in
                let rows = try await client.query(
                    "SELECT count(*) FROM audit_events WHERE length(actor_label) > 320", logger: TestPostgres.logger
                )
                for try await count in rows.decode(Int.self) { #expect(count == 0) }
            }
        }
    }

    @Test func theNULCharacterIsRefusedWhereverACallerSendsIt() async throws {
        try await RunningGateway.with { gateway, _ in
            let call = GatewayCaller(gateway)
            let organization = try #require(
                try await call(.POST, "/api/organizations", ["name": "Contoso"]).body["id"] as? String)

            let named = try await call(.POST, "/api/organizations", ["name": "nul\u{0}here"])
            #expect(named.status == 422 && Self.fields(named.body) == ["name"], "\(named.body)")

            let run = try await call(
                .POST, "/api/workflows/quick_lookup/execute", ["input": ["id": "nul\u{0}here"]],
                organization: organization
            )
            #expect(run.status == 422 && Self.fields(run.body) == ["input.id"], "\(run.body)")
            let nested = try await call(
                .POST, "/api/workflows/process_items/execute", ["input": ["items": ["ok", "bad\u{0}"]]],
                organization: organization
            )
            #expect(nested.status == 422 && Self.fields(nested.body) == ["input.items.1"], "\(nested.body)")

            let query = try await call(.GET, "/api/files?prefix=a%00b", organization: organization)
            #expect(query.status == 422 && Self.fields(query.body) == ["prefix"], "\(query.body)")
            let path = try await call(.PUT, "/api/secrets/a%00b", ["value": "v"])
            #expect(path.status == 422 && Self.fields(path.body) == ["name"], "\(path.body)")
            let value = try await call(.PUT, "/api/secrets/plain", ["value": "v\u{0}"])
            #expect(value.status == 422 && Self.fields(value.body) == ["value"], "\(value.body)")

            let created = try await call(
                .POST, "/api/api-keys", ["name": "client", "role": "org_member"], organization: organization)
            let key = try #require(created.body["key"] as? String, "\(created.body)")
            let endpoint = try await GatewayCaller(base: gateway.baseURL, token: key)(
                .POST, "/api/endpoints/quick_lookup?id=x%00y")
            #expect(endpoint.status == 422 && Self.fields(endpoint.body) == ["id"], "\(endpoint.body)")
            #expect(gateway.process.isRunning)
            #expect(try await call(.GET, "/api/executions").status == 200)
        }
    }

    /// The `field` of each of a problem's `errors`, sorted.
    static func fields(_ problem: [String: Any]) -> [String] {
        ((problem["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }.sorted()
    }
}

/// Calls a real server's API as its bootstrap admin, optionally inside an organisation.
struct GatewayCaller {
    let base: String
    let token: String

    init(_ gateway: RunningGateway) {
        base = gateway.baseURL
        token = gateway.adminToken
    }

    init(base: String, token: String) {
        self.base = base
        self.token = token
    }

    func callAsFunction(
        _ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, organization: String? = nil,
        headers extra: [String: String] = [:]
    ) async throws -> (status: Int, body: [String: Any]) {
        var headers = token.hasPrefix("bfk_") ? ["X-Bifrost-Key": token] : ["Authorization": "Bearer \(token)"]
        if let organization { headers["X-Organization-Id"] = organization }
        headers.merge(extra) { $1 }
        return try await ServerProcess.send(method, base + path, json: body, headers: headers)
    }
}
