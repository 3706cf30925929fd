import BifrostTestSupport
import Foundation
import Testing

/// schemathesis (PyPI, installed by scripts/install-dependencies) against the real server's generated document:
/// generated requests to every operation, and not one 5xx or answer that breaks its schema.
@Suite struct SchemathesisTests {
    @Test func noServerErrorAndNoAnswerOutsideItsSchema() async throws {
        try await RunningGateway.with(environment: ["BIFROST_LOG_LEVEL": "error"]) { gateway, _ in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bifrost-st-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let base = gateway.baseURL
            let token = gateway.adminToken
            let (status, document) = try await ServerProcess.send(.GET, "\(base)/api/openapi.json", headers: ["Authorization": "Bearer \(token)"])
            #expect(status == 200)
            let schema = folder.appendingPathComponent("openapi.json")
            try JSONSerialization.data(withJSONObject: document).write(to: schema)

            let run = Process()
            run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            run.arguments = [
                "schemathesis", "run", schema.path, "--url", base, "-H", "Authorization: Bearer \(token)",
                "--checks", "not_a_server_error,response_schema_conformance", "--max-examples", "3", "--seed", "1",
            ]
            let output = Pipe()
            run.standardOutput = output
            run.standardError = output
            try run.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            run.waitUntilExit()
            #expect(run.terminationStatus == 0, "\(text.suffix(4_000))")
            #expect(text.contains("passed"), "\(text.suffix(2_000))")
        }
    }
}
