import BifrostStore
import BifrostTestSupport
import Foundation
import Testing

/// Starts the real `bifrost serve` binary, as an operator would.
@Suite(.serialized) struct ServeTests {
    private func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bifrost-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    private func freePort() throws -> Int {
        try #require(LoopbackPort.free())
    }

    @Test func servesOnTheEmbeddedDatabaseAndStopsCleanlyOnSIGTERM() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try freePort()
        let pidFile = folder.path + "/.bifrost/postgres/data/postmaster.pid"

        for round in 1...2 {
            let server = try ServerProcess(
                arguments: ["serve"], workingDirectory: folder, environment: ["BIFROST_HTTP_PORT": "\(port)"]
            )
            let ready = await server.waitFor(
                url: "http://127.0.0.1:\(port)/health/ready", status: 200, within: .seconds(120))
            #expect(ready, "round \(round) never became ready:\n\(server.output)")
            #expect(FileManager.default.fileExists(atPath: pidFile))
            #expect(server.output.contains("for development"))
            server.signal(SIGTERM)
            let status = await server.waitForExit(within: .seconds(60))
            #expect(status == 0, "round \(round) exit status \(String(describing: status)):\n\(server.output)")
            #expect(
                !FileManager.default.fileExists(atPath: pidFile), "the cluster is still running after round \(round)")
        }
    }

    @Test func aCommandBesideARunningServerUsesItsDatabaseAndLeavesItRunning() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try freePort()
        let server = try ServerProcess(
            arguments: ["serve"], workingDirectory: folder, environment: ["BIFROST_HTTP_PORT": "\(port)"])
        let ready = "http://127.0.0.1:\(port)/health/ready"
        #expect(await server.waitFor(url: ready, status: 200, within: .seconds(120)), "\(server.output)")
        #expect(server.output.contains("bifrost users create --platform-admin"))

        // The newcomer's next step, in the same folder while the server runs.
        let create = try ServerProcess(
            arguments: ["users", "create", "--email", "first@msp.example", "--platform-admin"],
            workingDirectory: folder, standardInput: "first admin password\n"
        )
        #expect(await create.waitForExit(within: .seconds(60)) == 0, "\(create.output)")
        #expect(try await ServerProcess.status(of: ready) == 200, "the server lost its database:\n\(server.output)")
        let (status, _) = try await ServerProcess.postJSON(
            "http://127.0.0.1:\(port)/auth/login", ["email": "first@msp.example", "password": "first admin password"])
        #expect(status == 200)
        server.signal(SIGTERM)
        #expect(await server.waitForExit(within: .seconds(60)) == 0)
    }

    @Test func recoversAfterTheServerWasKilled() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try freePort()
        let environment = ["BIFROST_HTTP_PORT": "\(port)"]

        let crashed = try ServerProcess(arguments: ["serve"], workingDirectory: folder, environment: environment)
        #expect(await crashed.waitFor(url: "http://127.0.0.1:\(port)/health/ready", status: 200, within: .seconds(120)))
        crashed.signal(SIGKILL)
        _ = await crashed.waitForExit(within: .seconds(60))

        let successor = try ServerProcess(arguments: ["serve"], workingDirectory: folder, environment: environment)
        let ready = await successor.waitFor(
            url: "http://127.0.0.1:\(port)/health/ready", status: 200, within: .seconds(120))
        #expect(ready, "no recovery after kill -9:\n\(successor.output)")
        successor.signal(SIGTERM)
        #expect(await successor.waitForExit(within: .seconds(60)) == 0)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/.bifrost/postgres/data/postmaster.pid"))
    }

    @Test func aQueueOnlyProcessServesAndAFailedStartStopsItsCluster() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try freePort()
        let pidFile = folder.path + "/.bifrost/postgres/data/postmaster.pid"
        // `workflows.workers` 0: the process only queues, and keeps serving.
        let queueOnly = try ServerProcess(
            arguments: ["serve"], workingDirectory: folder,
            environment: ["BIFROST_HTTP_PORT": "\(port)", "BIFROST_WORKFLOWS_WORKERS": "0"]
        )
        #expect(
            await queueOnly.waitFor(url: "http://127.0.0.1:\(port)/health/ready", status: 200, within: .seconds(120)))
        try await Task.sleep(for: .milliseconds(500))
        #expect(queueOnly.isRunning, "\(queueOnly.output)")
        queueOnly.signal(SIGTERM)
        #expect(await queueOnly.waitForExit(within: .seconds(60)) == 0)

        // A policy file that names no operation: the start fails after the cluster started, and stops it.
        let policies = folder.appendingPathComponent("policies")
        try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
        try "roles:\n  org_admin: [noSuchOperation]\n".write(
            to: policies.appendingPathComponent("roles.yaml"), atomically: true, encoding: .utf8
        )
        let refused = try ServerProcess(
            arguments: ["serve"], workingDirectory: folder,
            environment: ["BIFROST_HTTP_PORT": "\(port)", "BIFROST_POLICIES_DIRECTORY": policies.path]
        )
        let status = await refused.waitForExit(within: .seconds(60))
        #expect(status != nil && status != 0, "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: pidFile), "the cluster outlived a failed start")
    }

    @Test func badConfigurationValueExitsWithStatus2NamingTheKey() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let flag = try ServerProcess(arguments: ["serve", "--http-port", "abc"], workingDirectory: folder)
        #expect(await flag.waitForExit(within: .seconds(60)) == 2)
        #expect(flag.output.contains("http.port = \"abc\""))

        let variable = try ServerProcess(
            arguments: ["serve"], workingDirectory: folder, environment: ["BIFROST_LOG_LEVEL": "loud"])
        #expect(await variable.waitForExit(within: .seconds(60)) == 2)
        #expect(variable.output.contains("log.level = \"loud\""))
        #expect(
            !FileManager.default.fileExists(atPath: folder.path + "/.bifrost"), "a refused start must not create state")
    }

    @Test func unreachableDatabaseKeepsRetryingAndReportsNotReady() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try freePort()
        let closedPort = try freePort()
        let server = try ServerProcess(
            arguments: ["serve"], workingDirectory: folder,
            environment: [
                "BIFROST_HTTP_PORT": "\(port)",
                "BIFROST_DATABASE_URL": "postgres://bifrost:topsecret@127.0.0.1:\(closedPort)/bifrost?sslmode=disable",
            ]
        )
        #expect(await server.waitFor(url: "http://127.0.0.1:\(port)/health/live", status: 200, within: .seconds(120)))
        #expect(try await ServerProcess.status(of: "http://127.0.0.1:\(port)/health/ready") == 503)
        #expect(try await eventually { server.output.contains("Database unreachable; retrying") })
        #expect(!server.output.contains("topsecret"))
        server.signal(SIGTERM)
        #expect(await server.waitForExit(within: .seconds(60)) == 0, "\(server.output)")
    }

    @Test func openapiCommandPrintsTheContract() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let command = try ServerProcess(arguments: ["openapi"], workingDirectory: folder)
        #expect(await command.waitForExit(within: .seconds(60)) == 0)
        #expect(command.output.hasPrefix("openapi: 3.1.0"))
        #expect(command.output.contains("operationId: getReadiness"))
    }
}
