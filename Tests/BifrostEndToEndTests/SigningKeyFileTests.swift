import BifrostStore
import BifrostTestSupport
import Foundation
import Testing

/// The access-token signing key signs tokens for anyone, platform admins included: the server refuses to start
/// with a key file its group or others may read.
@Suite struct SigningKeyFileTests {
    @Test func aSigningKeyFileOthersCanReadStopsStartUpWithAClearMessage() async throws {
        try await TestPostgres.withDatabase { url in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "bifrost-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            var environment = [
                "BIFROST_DATABASE_URL": url.urlStringWithPassword, "BIFROST_DATA_DIRECTORY": folder.path,
            ]
            func serve() throws -> (ServerProcess, String) {
                let port = try #require(LoopbackPort.free())
                let process = try ServerProcess(
                    arguments: ["serve"], workingDirectory: folder,
                    environment: environment.merging(["BIFROST_HTTP_PORT": "\(port)"]) { $1 }
                )
                return (process, "http://127.0.0.1:\(port)/health/ready")
            }

            // A first start generates a key under the data folder (mode 600); it becomes the configured file.
            let (first, ready) = try serve()
            #expect(await first.waitFor(url: ready, status: 200, within: .seconds(60)), "\(first.output)")
            first.signal(SIGTERM)
            #expect(await first.waitForExit(within: .seconds(60)) == 0)
            let generated = folder.appendingPathComponent("auth/signing-key.pem")
            let shared = folder.appendingPathComponent("shared-signing-key.pem")
            try FileManager.default.copyItem(at: generated, to: shared)
            environment["BIFROST_AUTH_SIGNING_KEY_FILE"] = shared.path

            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: shared.path)
            let (refused, _) = try serve()
            let status = await refused.waitForExit(within: .seconds(60))
            #expect(status != nil && status != 0, "\(refused.output)")
            #expect(refused.output.contains("auth.signingKeyFile"), "\(refused.output)")
            #expect(
                refused.output.contains("readable by its owner only (chmod 600), not mode 644"), "\(refused.output)")
            #expect(!refused.output.contains("PRIVATE KEY"))

            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: shared.path)
            let (accepted, acceptedReady) = try serve()
            #expect(await accepted.waitFor(url: acceptedReady, status: 200, within: .seconds(60)), "\(accepted.output)")
            accepted.signal(SIGTERM)
            #expect(await accepted.waitForExit(within: .seconds(60)) == 0)
        }
    }
}
