import BifrostStore
import BifrostTestSupport
import Foundation
import Testing

/// The real server refuses to start with a master key that is not its database's, saying why.
@Suite struct MasterKeyTests {
    @Test func aWrongMasterKeyStopsStartUpWithAClearMessage() async throws {
        try await TestPostgres.withDatabase { url in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "bifrost-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let port = try #require(LoopbackPort.free())
            let environment = ["BIFROST_DATABASE_URL": url.urlStringWithPassword, "BIFROST_HTTP_PORT": "\(port)"]
            let first = try ServerProcess(arguments: ["serve"], workingDirectory: folder, environment: environment)
            #expect(
                await first.waitFor(url: "http://127.0.0.1:\(port)/health/ready", status: 200, within: .seconds(60)))
            first.signal(SIGTERM)
            #expect(await first.waitForExit(within: .seconds(60)) == 0)

            let otherKey = Data((0..<32).map { UInt8(255 - $0) }).base64EncodedString()
            let wrong = try ServerProcess(
                arguments: ["serve"], workingDirectory: folder,
                environment: environment.merging(["BIFROST_MASTER_KEY": otherKey]) { $1 }
            )
            let status = await wrong.waitForExit(within: .seconds(60))
            #expect(status != nil && status != 0)
            #expect(wrong.output.contains("the configured master key is not master key version 1"), "\(wrong.output)")
            #expect(!wrong.output.contains(otherKey))
        }
    }
}
