import BifrostTestSupport
import Foundation
import Testing

/// schemathesis (PyPI, installed by scripts/install-dependencies) against the real server's generated document:
/// requests to every operation that fit the schema and requests that break it (out-of-range numbers, wrong types,
/// U+0000), and not one 5xx or answer that breaks its schema; and the same process serves on afterwards.
@Suite struct SchemathesisTests {
    @Test func noServerErrorAndNoAnswerOutsideItsSchema() async throws {
        // Limits that generated requests do not reach, so that every one of them gets as far as its handler.
        let policies = try PolicyFolder(rateLimits: PolicyFolder.generousLimits)
        defer { policies.remove() }
        let environment = ["BIFROST_LOG_LEVEL": "error", "BIFROST_POLICIES_DIRECTORY": policies.path]
        try await RunningGateway.with(environment: environment) { gateway, _ in
            let pid = gateway.process.pid
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "bifrost-st-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let base = gateway.baseURL
            let token = gateway.adminToken
            let (status, document) = try await ServerProcess.send(
                .GET, "\(base)/api/openapi.json", headers: ["Authorization": "Bearer \(token)"])
            #expect(status == 200)
            let schema = folder.appendingPathComponent("openapi.json")
            try JSONSerialization.data(withJSONObject: document).write(to: schema)

            let run = Process()
            run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            run.arguments = [
                "schemathesis", "run", schema.path, "--url", base, "-H", "Authorization: Bearer \(token)",
                "--checks", "not_a_server_error,response_schema_conformance", "--mode", "all", "--max-examples", "12",
                "--generation-allow-x00", "true", "--generation-with-security-parameters", "false", "--seed", "1",
            ]
            let output = Pipe()
            run.standardOutput = output
            run.standardError = output
            try run.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            run.waitUntilExit()
            #expect(run.terminationStatus == 0, "\(text.suffix(4_000))")
            #expect(text.contains("passed"), "\(text.suffix(2_000))")
            #expect(gateway.process.isRunning && gateway.process.pid == pid, "the server process did not survive")
            #expect(try await ServerProcess.status(of: "\(base)/health/live") == 200)
        }
    }
}
