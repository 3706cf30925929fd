import BifrostCrypto
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// `bifrost keys rotate` as an operator runs it: killed in the middle, run again, it finishes, and every value
/// still opens with the new master key alone.
@Suite struct KeyRotationCommandTests {
    @Test func aSigningKeyRotatedFromTheCommandLineSignsOnTheRunningServerAndTheOldOneStillVerifies() async throws {
        try await RunningGateway.with { gateway, url in
            let jwks = "\(gateway.baseURL)/.well-known/jwks.json"
            let before = try await ServerProcess.send(.GET, jwks).1["keys"] as? [[String: Any]]
            let first = try #require(before?.first?["kid"] as? String)
            let rotate = try ServerProcess(
                arguments: ["keys", "rotate", "--signing"], workingDirectory: FileManager.default.temporaryDirectory,
                environment: ["BIFROST_DATABASE_URL": url.urlStringWithPassword, "BIFROST_LOG_LEVEL": "error"])
            #expect(await rotate.waitForExit(within: .seconds(60)) == 0, "\(rotate.output)")
            #expect(!rotate.output.contains(first), "\(rotate.output)")
            let second = try #require(
                rotate.output.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })

            // The running server heard of it: it publishes both keys and signs new tokens with the new one; the
            // token it issued before is still accepted.
            let published = try await eventually {
                let keys = (try await ServerProcess.send(.GET, jwks).1["keys"] as? [[String: Any]]) ?? []
                return keys.compactMap { $0["kid"] as? String } == [second, first]
            }
            #expect(published)
            #expect(
                try await ServerProcess.send(.GET, "\(gateway.baseURL)/auth/me", headers: gateway.adminHeaders).0 == 200
            )
            let status = try await ServerProcess.send(
                .GET, "\(gateway.baseURL)/api/admin/keys", headers: gateway.adminHeaders)
            let signing = (status.1["signing_keys"] as? [[String: Any]])?.first { $0["signs"] as? Bool == true }
            #expect(signing?["kid"] as? String == second, "\(status.1)")

            // Rotating a key given by a file is refused with a message saying what to do.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bifrost-key-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("signing-key.pem")
            try SigningKeyFileTests.generateKey(at: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            let refused = try ServerProcess(
                arguments: ["keys", "rotate", "--signing"], workingDirectory: folder,
                environment: [
                    "BIFROST_DATABASE_URL": url.urlStringWithPassword, "BIFROST_LOG_LEVEL": "error",
                    "BIFROST_AUTH_SIGNING_KEY_FILE": file.path,
                ])
            #expect(await refused.waitForExit(within: .seconds(60)) != 0)
            #expect(refused.output.contains("auth.signingKeyFile"), "\(refused.output)")
        }
    }

    @Test func aRotationKilledHalfwayResumesAndLeavesEveryValueReadable() async throws {
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { client in
                let logger = TestPostgres.logger
                let oldBytes = SecureRandom.bytes(32)
                let newBytes = SecureRandom.bytes(32)
                let old = KeyRing(client: client, master: try SecretKey(bytes: oldBytes), logger: logger)
                let secrets = PostgresSecretRepository(client: client, keys: old, logger: logger)
                let organizations = PostgresOrganizationRepository(client: client, logger: logger)
                var ids: [UUID] = []
                for index in 0..<30 {
                    let id = try await organizations.create(name: "Org \(index)", domain: nil).id
                    try await secrets.put(
                        "token", value: "token of org \(index)", description: nil, in: .organization(id), by: "test")
                    ids.append(id)
                }
                let folder = FileManager.default.temporaryDirectory
                let environment = [
                    "BIFROST_DATABASE_URL": url.urlStringWithPassword, "BIFROST_MASTER_KEY": Base64.encode(newBytes),
                    "BIFROST_PREVIOUS_MASTER_KEYS": Base64.encode(oldBytes), "BIFROST_LOG_LEVEL": "error",
                ]
                // The rotation goes in key order, five keys per transaction; holding the 15th key stops it in its
                // third batch, after two have been committed.
                let held = ids.map { $0.uuidString.lowercased() }.sorted()[14]
                try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    try await connection.query(
                        "SELECT 1 FROM data_keys WHERE organization_id = \(UUID(uuidString: held)!) FOR UPDATE",
                        logger: logger
                    )
                    let first = try ServerProcess(
                        arguments: ["keys", "rotate", "--batch-size", "5"], workingDirectory: folder,
                        environment: environment
                    )
                    #expect(await Self.waitFor("re-wrapped 10/30", in: first), "\(first.output)")
                    first.signal(SIGKILL)
                    _ = await first.waitForExit(within: .seconds(60))
                    try await connection.query("ROLLBACK", logger: logger)
                }
                #expect(try await Self.dataKeysByMasterVersion(client) == [1: 20, 2: 10])

                let second = try ServerProcess(
                    arguments: ["keys", "rotate", "--batch-size", "5"], workingDirectory: folder,
                    environment: environment)
                #expect(await second.waitForExit(within: .seconds(60)) == 0, "\(second.output)")
                #expect(second.output.contains("re-wrapped 20/20 data key(s)"), "\(second.output)")
                #expect(second.output.contains("every data key is wrapped by master key v2"), "\(second.output)")
                #expect(try await Self.dataKeysByMasterVersion(client) == [2: 30])

                // The old key can go: the new one alone opens every value, and the status says v1 wraps nothing.
                let newOnly = KeyRing(client: client, master: try SecretKey(bytes: newBytes), logger: logger)
                let reader = PostgresSecretRepository(client: client, keys: newOnly, logger: logger)
                for (index, id) in ids.enumerated() {
                    #expect(try await reader.value("token", for: .organization(id)) == "token of org \(index)")
                }
                let status = try ServerProcess(
                    arguments: ["keys", "status"], workingDirectory: folder,
                    environment: environment.filter { $0.key != "BIFROST_PREVIOUS_MASTER_KEYS" }
                )
                #expect(await status.waitForExit(within: .seconds(60)) == 0, "\(status.output)")
                #expect(status.output.contains("master key v1"), "\(status.output)")
                #expect(status.output.contains("wraps 0 data key(s)  (not configured)"), "\(status.output)")
                #expect(status.output.contains("wraps 30 data key(s)  (current)"), "\(status.output)")
                #expect(
                    !status.output.contains(Base64.encode(newBytes)) && !status.output.contains(Base64.encode(oldBytes))
                )
            }
        }
    }

    private static func waitFor(_ text: String, in process: ServerProcess) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if process.output.contains(text) { return true }
            if !process.isRunning { return process.output.contains(text) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    private static func dataKeysByMasterVersion(_ client: PostgresClient) async throws -> [Int: Int] {
        let rows = try await client.query(
            "SELECT master_version, count(*) FROM data_keys GROUP BY master_version", logger: TestPostgres.logger
        )
        var counts: [Int: Int] = [:]
        for try await (version, count) in rows.decode((Int32, Int64).self) { counts[Int(version)] = Int(count) }
        return counts
    }
}
