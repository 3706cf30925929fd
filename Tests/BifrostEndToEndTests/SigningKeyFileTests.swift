import BifrostStore
import BifrostTestSupport
import Foundation
import Testing

/// The access-token signing key signs tokens for anyone, platform admins included: without a key file none is
/// written to disk (the deployment's keys live sealed in the database), and the server refuses to start with a key
/// file its group or others may read.
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

            // No key under the data folder: the key comes from the database unless a file is configured.
            let (first, ready) = try serve()
            #expect(await first.waitFor(url: ready, status: 200, within: .seconds(60)), "\(first.output)")
            first.signal(SIGTERM)
            #expect(await first.waitForExit(within: .seconds(60)) == 0)
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("auth").path))
            let shared = folder.appendingPathComponent("shared-signing-key.pem")
            try Self.generateKey(at: shared)
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
            let (_, published) = try await ServerProcess.send(
                .GET, "\(acceptedReady.dropLast("/health/ready".count))/.well-known/jwks.json")
            #expect((published["keys"] as? [Any])?.count == 1, "only the file's key verifies: \(published)")
            accepted.signal(SIGTERM)
            #expect(await accepted.waitForExit(within: .seconds(60)) == 0)
        }
    }

    /// An EC P-256 private key in PEM form, written by OpenSSL's command line.
    static func generateKey(at file: URL) throws {
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file.path]
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
    }
}
