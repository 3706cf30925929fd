import BifrostStore
import BifrostTestSupport
import Foundation
import Testing

/// The shipped `bifrost` copied alone into an empty folder, run by an account that is not root, with nothing
/// but environment variables: it finds its migrations, policies and provider catalogue inside itself.
@Suite struct StandaloneBinaryTests {
    @Test func theBinaryAloneServesAnExternalDatabaseAndSaysHowToGetAFirstUser() async throws {
        try await TestPostgres.withDatabase { url in
            let folder = FileManager.default.temporaryDirectory.appending(path: "bifrost-alone-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let binary = folder.appending(path: "bifrost").path
            try FileManager.default.copyItem(atPath: try ServerProcess.shippedBinaryPath(), toPath: binary)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["bifrost"])

            // As root, the server runs as `nobody`, which owns the folder (it writes its signing key there).
            let asRoot = getuid() == 0
            if asRoot {
                try FileManager.default.setAttributes(
                    [.ownerAccountName: "nobody", .posixPermissions: 0o755], ofItemAtPath: folder.path)
            }
            let (server, port) = try await ServerProcess.serving(
                arguments: asRoot ? ["-u", "nobody", "--", binary, "serve"] : ["serve"], workingDirectory: folder,
                environment: ["BIFROST_DATABASE_URL": url.urlStringWithPassword],
                executable: asRoot ? "/usr/sbin/runuser" : binary
            )
            #expect(server.output.contains("bifrost users create --platform-admin --email"), "\(server.output)")
            #expect(try await ServerProcess.status(of: "http://127.0.0.1:\(port)/api/workflows") == 401)
            // With an external database and a master key it writes nothing beside itself: the signing keys live in
            // the database.
            let written = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0 != "bifrost" }
            #expect(written.isEmpty, "\(written)")
            // `runuser` would die of the signal itself: the gateway (its child) gets it, as from an orchestrator.
            if asRoot {
                let children = Self.children(of: server.pid)
                #expect(children.count == 1)
                for child in children { kill(child, SIGTERM) }
            } else {
                server.signal(SIGTERM)
            }
            let status = await server.waitForExit(within: .seconds(60))
            #expect(status == 0, "exit status \(String(describing: status)): \(server.output)")
        }
    }

    /// The processes whose parent is `parent`, read from `/proc`.
    private static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let afterName = stat.range(of: ") ", options: .backwards)
            else { return nil }
            // After the name: state, then the parent's pid.
            let fields = stat[afterName.upperBound...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent ? pid : nil
        }
    }
}
