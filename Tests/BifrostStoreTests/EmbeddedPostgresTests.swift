import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// Each test makes its own cluster: these are about the cluster's life, not about queries.
@Suite(.serialized) struct EmbeddedPostgresTests {
    let logger = TestPostgres.logger

    /// A folder that only its owner may enter (like /root), with the data folder inside it.
    private func privateFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bifrost-private-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        return folder
    }

    private func selectOne(_ url: DatabaseURL) async throws -> Int {
        try await DatabaseBootstrap.withConnection(to: url, logger: logger) { connection in
            let rows = try await connection.query("SELECT 1", logger: logger)
            for try await value in rows.decode(Int.self) { return value }
            return 0
        }
    }

    @Test func startsInsideAFolderOnlyItsOwnerMayEnterAndRestartsWithTheSameAddress() async throws {
        let folder = try privateFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = EmbeddedPostgres.Settings(dataDirectory: folder.appendingPathComponent(".bifrost").path)

        let first = EmbeddedPostgres(settings: settings, logger: logger)
        let url = try await first.start()
        #expect(try await selectOne(url) == 1)
        #expect(url.database == "bifrost")
        try await first.stop()
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/.bifrost/postgres/data/postmaster.pid"))

        let second = EmbeddedPostgres(settings: settings, logger: logger)
        let again = try await second.start()
        #expect(again.port == url.port)
        #expect(again.password == url.password)
        #expect(try await selectOne(again) == 1)
        try await second.stop()
    }

    @Test func startsOverAStalePidFileLeftByACrash() async throws {
        let folder = try privateFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = EmbeddedPostgres.Settings(dataDirectory: folder.appendingPathComponent("data").path)
        let cluster = EmbeddedPostgres(settings: settings, logger: logger)
        let url = try await cluster.start()
        try await cluster.stop()

        // What a crash leaves: a postmaster.pid naming a process that no longer exists.
        let pidFile = folder.path + "/data/postgres/data/postmaster.pid"
        let dataPath = folder.path + "/data/postgres/data"
        try "999999\n\(dataPath)\n0\n\(url.port)\n\n127.0.0.1\n0 0\nready\n".write(
            toFile: pidFile, atomically: true, encoding: .utf8
        )
        let restarted = try await cluster.start()
        #expect(try await selectOne(restarted) == 1)
        try await cluster.stop()
    }

    @Test func restartsAClusterAnEarlierProcessLeftRunning() async throws {
        let folder = try privateFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = EmbeddedPostgres.Settings(dataDirectory: folder.appendingPathComponent("data").path)
        // The first owner "crashes": it never calls stop().
        _ = try await EmbeddedPostgres(settings: settings, logger: logger).start()
        let successor = EmbeddedPostgres(settings: settings, logger: logger)
        let url = try await successor.start()
        #expect(try await selectOne(url) == 1)
        try await successor.stop()
    }
}
