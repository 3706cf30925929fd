import Bifrost
import BifrostStore
import BifrostTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// Queued runs survive what happens to real processes: a replica killed with SIGKILL, and PostgreSQL restarted
/// under load.
@Suite(.serialized) struct QueueRecoveryTests {
    private func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bifrost-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    private func serve(_ url: DatabaseURL, in folder: URL, extra: [String: String] = [:]) async throws -> (
        ServerProcess, Int
    ) {
        let port = try #require(LoopbackPort.free())
        let server = try ServerProcess(
            arguments: ["serve"], workingDirectory: folder,
            environment: [
                "BIFROST_HTTP_PORT": "\(port)", "BIFROST_DATABASE_URL": url.urlStringWithPassword,
                "BIFROST_WORKFLOWS_LEASE_TIMEOUT": "3",
            ].merging(extra) { $1 }
        )
        #expect(
            await server.waitFor(url: "http://127.0.0.1:\(port)/health/ready", status: 200, within: .seconds(60)),
            "\(server.output)")
        return (server, port)
    }

    private func enqueue(_ queue: PostgresJobQueue, seconds: Double, attempts: Int) async throws -> UUID {
        let record = ExecutionRecord(
            id: UUID(), workflow: "wait_in_background", organizationID: nil, status: .pending,
            input: ["seconds": .double(seconds)], startedBy: ExecutionActor(label: "test"), createdAt: Date()
        )
        try await queue.enqueue(record, maximumAttempts: attempts)
        return record.id
    }

    private func statuses(_ database: PostgresClient) async throws -> [UUID: (
        status: String, attempts: Int32, error: String?
    )] {
        var statuses: [UUID: (String, Int32, String?)] = [:]
        let rows = try await database.query(
            "SELECT id, status, attempts, error FROM executions", logger: TestPostgres.logger)
        for try await (id, status, attempts, error) in rows.decode((UUID, String, Int32, String?).self) {
            statuses[id] = (status, attempts, error)
        }
        return statuses
    }

    @Test func runsOfAKilledProcessEndRetriedOrFailedAsDeclared() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestPostgres.withDatabase { url in
            try await TestPostgres.withClient(url) { database in
                let (victim, _) = try await serve(url, in: folder)
                let queue = PostgresJobQueue(client: database, logger: TestPostgres.logger)
                let done = try await enqueue(queue, seconds: 0, attempts: 1)
                let once = try await enqueue(queue, seconds: 600, attempts: 1)
                // Long enough that it is still running when the test sees it running, however loaded the machine.
                let retried = try await enqueue(queue, seconds: 8, attempts: 2)
                var now = try await statuses(database)
                _ = try await eventually {
                    now = try await statuses(database)
                    return now[done]?.status == "Success"
                        && [once, retried].allSatisfy { now[$0]?.status == "Running" }
                }
                #expect(now[done]?.status == "Success")
                #expect(now[once]?.status == "Running" && now[retried]?.status == "Running")
                victim.signal(SIGKILL)
                #expect(await victim.waitForExit(within: .seconds(60)) != nil)

                // The successor's heartbeat finds the victim silent for the lease (3 s) and recovers its runs.
                let (successor, _) = try await serve(url, in: folder)
                _ = try await eventually(within: .seconds(120)) {
                    now = try await statuses(database)
                    return now[once]?.status == "Failed" && now[retried]?.status == "Success"
                }
                #expect(now[once]?.status == "Failed")
                #expect(now[once]?.error?.hasPrefix("Worker lost") == true)
                #expect(now[retried]?.status == "Success")
                #expect(now[retried]?.attempts == 2)
                #expect(now[done]?.status == "Success" && now[done]?.attempts == 1)
                successor.signal(SIGTERM)
                #expect(await successor.waitForExit(within: .seconds(60)) == 0, "\(successor.output)")
            }
        }
    }

    @Test func workersCarryOnAfterPostgreSQLRestartsUnderLoad() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = EmbeddedPostgres.Settings(dataDirectory: folder.appendingPathComponent("db").path)
        settings.serverSettings = ["fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"]
        let cluster = EmbeddedPostgres(settings: settings, logger: TestPostgres.logger)
        let url = try await cluster.start()
        Watchdog.stopClusterAfterExit(of: getpid(), dataDirectory: settings.dataDirectory)
        do {
            let app = folder.appendingPathComponent("app")
            try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
            let (server, port) = try await serve(url, in: app, extra: ["BIFROST_WORKFLOWS_WORKERS": "8"])
            try await TestPostgres.withClient(url) { database in
                let queue = PostgresJobQueue(client: database, logger: TestPostgres.logger)
                for _ in 0..<300 { _ = try await enqueue(queue, seconds: 0.02, attempts: 1) }
                _ = try await eventually {
                    try await statuses(database).values.filter { $0.status == "Success" }.count >= 50
                }
            }
            // Restart PostgreSQL while runs are being claimed and recorded.
            try await cluster.stop()
            // The database comes back only once the gateway has noticed it gone.
            #expect(
                try await eventually {
                    (try? await ServerProcess.status(of: "http://127.0.0.1:\(port)/health/ready")) == 503
                })
            #expect(try await cluster.start().port == url.port, "a restarted cluster keeps its port")
            try await TestPostgres.withClient(url) { database in
                let queue = PostgresJobQueue(client: database, logger: TestPostgres.logger)
                for _ in 0..<300 { _ = try await enqueue(queue, seconds: 0.02, attempts: 1) }
                var now = try await statuses(database)
                _ = try await eventually(within: .seconds(120)) {
                    now = try await statuses(database)
                    return now.count == 600 && !now.values.contains { ["Pending", "Running"].contains($0.status) }
                }
                #expect(now.count == 600)
                #expect(!now.values.contains { ["Pending", "Running"].contains($0.status) }, "\(server.output)")
                // Only a run whose claim was cut off by the restart may have failed; every other one succeeded.
                let failed = now.values.filter { $0.status == "Failed" }
                #expect(failed.count <= 16)
                #expect(failed.allSatisfy { $0.error?.hasPrefix("Worker lost") == true })
                #expect(server.isRunning)
                #expect(try await ServerProcess.status(of: "http://127.0.0.1:\(port)/health/ready") == 200)
            }
            server.signal(SIGTERM)
            #expect(await server.waitForExit(within: .seconds(60)) == 0, "\(server.output)")
        } catch {
            try? await cluster.stop()
            throw error
        }
        try await cluster.stop()
    }
}
