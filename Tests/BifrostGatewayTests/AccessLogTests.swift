import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The access log (`log.access`): one entry per request with its route template, final status and caller, and
/// nothing of the raw path, query string or credential.
@Suite struct AccessLogTests {
    private struct Boom: Error {}

    /// A gateway whose access log goes to `capture`, with `GET /boom` failing inside the gateway's middleware.
    private func withGateway(
        _ mode: GatewayConfiguration.AccessLog, capture: LogCapture,
        _ body: @Sendable (any TestClientProtocol, GatewayHarness.Context) async throws -> Void
    ) async throws {
        try await withGateway(mode, logger: capture.logger(label: "bifrost.access"), body)
    }

    private func withGateway(
        _ mode: GatewayConfiguration.AccessLog, logger: Logger,
        _ body: @Sendable (any TestClientProtocol, GatewayHarness.Context) async throws -> Void
    ) async throws {
        var configuration = GatewayConfiguration()
        configuration.accessLog = mode
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { database in
                var dependencies = try await GatewayHarness.dependencies(database: database)
                dependencies.accessLogger = logger
                // On a loopback socket, so that requests have a peer address.
                try await GatewayHarness.withGateway(
                    dependencies, configuration: configuration, live: true,
                    addRoutes: { router in router.get("/boom") { _, _ -> String in throw Boom() } }, body)
            }
        }
    }

    private func requests(_ capture: LogCapture) -> [LogCapture.Entry] {
        capture.all.filter { $0.message == "Request" }
    }

    @Test func eachRequestIsLoggedOnceWithItsRouteStatusAndCaller() async throws {
        let capture = LogCapture()
        try await withGateway(.on, capture: capture) { client, context in
            let organization = try await AuthFixtures.createOrganization("A", on: context.database)
            let admin = try await context.caller(
                try await AuthFixtures.createUser(
                    "admin@a.example", role: .orgAdmin, organization: organization, on: context.database))
            let (created, json) = try await admin(.post, "/api/api-keys", ["name": "sync", "role": "org_member"])
            #expect(created == .created)
            let answer = try #require(json as? [String: Any])
            let key = try #require(answer["key"] as? String)
            let keyID = try #require((answer["api_key"] as? [String: Any])?["id"] as? String)

            try await client.execute(
                uri: "/auth/me?code=one-time-code", method: .get, headers: [HTTPField.Name("X-Bifrost-Key")!: key]
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/no/such/place?token=abc", method: .get) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/boom", method: .get) { #expect($0.status == .internalServerError) }

            let entries = requests(capture)
            #expect(entries.count == 4)
            #expect(entries.allSatisfy { $0.level == .info })
            #expect(entries.map { $0.metadata["status"] } == ["201", "200", "404", "500"])
            #expect(entries.map { $0.metadata["method"] } == ["POST", "GET", "GET", "GET"])
            #expect(entries[2].metadata["route"] == "NotFound")
            #expect(entries[3].metadata["route"] == "/boom")

            let me = entries[1]
            #expect(me.metadata["route"] == "/auth/me")
            #expect(me.metadata["principal_kind"] == "api_key")
            #expect(me.metadata["principal_id"] == keyID.lowercased())
            #expect(me.metadata["organization_id"] == organization.uuidString.lowercased())
            #expect(me.metadata["client_address"] == "127.0.0.1")
            #expect(me.metadata["request_id"]?.isEmpty == false)
            #expect(me.metadata["duration_ms"] != nil)
            #expect(me.metadata["bytes_in"] == "0")
            #expect(entries[0].metadata["principal_kind"] == "user")
            #expect(entries[2].metadata["principal_kind"] == nil)

            // Nothing of the query string or the credential.
            let everything = entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
            for secret in ["one-time-code", "token=abc", "/no/such/place", key, String(key.prefix(12))] {
                #expect(!everything.contains(secret), "the access log holds \(secret)")
            }
        }
    }

    @Test func sampledLogsEveryServerErrorAndOffLogsNothing() async throws {
        let sampled = LogCapture()
        try await withGateway(.sampled(0), capture: sampled) { client, _ in
            try await client.execute(uri: "/health/live", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/boom", method: .get) { #expect($0.status == .internalServerError) }
        }
        #expect(requests(sampled).map { $0.metadata["status"] } == ["500"])

        let off = LogCapture()
        try await withGateway(.off, capture: off) { client, _ in
            try await client.execute(uri: "/health/live", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/boom", method: .get) { #expect($0.status == .internalServerError) }
        }
        #expect(off.all.isEmpty)
    }

    /// With `log.format: json` each entry is one JSON object on a line, written at info even where `log.level`
    /// says warning.
    @Test func withTheJSONFormatEachEntryIsOneJSONLine() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("access-\(UUID().uuidString).log")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try FileHandle(forWritingTo: file)
        let logger = Logger(label: "bifrost.access") {
            LineLogHandler(label: $0, level: .warning, format: .json, output: output)
        }
        try await withGateway(.on, logger: logger) { client, _ in
            try await client.execute(uri: "/health/live?probe=1", method: .get) { #expect($0.status == .ok) }
        }
        try output.close()
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let entry = try #require(
            try JSONSerialization.jsonObject(with: Data(lines.first.map { Array($0.utf8) } ?? []))
                as? [String: String])
        #expect(entry["label"] == "bifrost.access")
        #expect(entry["level"] == "info")
        #expect(entry["message"] == "Request")
        #expect(entry["route"] == "/health/live")
        #expect(entry["status"] == "200")
        #expect(entry["method"] == "GET")
        #expect(entry["request_id"]?.isEmpty == false)
        #expect(entry["time"] != nil)
    }
}
