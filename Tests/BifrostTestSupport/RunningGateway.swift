public import BifrostStore
import Foundation

/// A real `bifrost serve` on a database of its own test, with a bootstrap platform admin signed in: for end-to-end
/// tests that talk to the gateway as clients do.
public struct RunningGateway: Sendable {
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String
    /// The bootstrap admin's access token.
    public let adminToken: String
    public let process: ServerProcess
    /// The working and data folder, and the environment the process was started with (its replicas share them).
    private let folder: URL
    private let environment: [String: String]

    /// The `Authorization` header of the bootstrap admin.
    public var adminHeaders: [String: String] { ["Authorization": "Bearer \(adminToken)"] }

    /// Starts the server on a fresh database (with `environment` added), signs the admin in, runs `body`, and stops
    /// the server with SIGTERM, expecting a clean exit.
    public static func with(
        environment: [String: String] = [:], _ body: (RunningGateway, DatabaseURL) async throws -> Void
    ) async throws {
        try await TestPostgres.withDatabase(migrated: true) { url in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "bifrost-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let password = "bootstrap password \(UUID().uuidString.prefix(8))"
            let shared = [
                "BIFROST_DATABASE_URL": url.urlStringWithPassword, "BIFROST_DATA_DIRECTORY": folder.path,
                "BIFROST_BOOTSTRAP_ADMIN_EMAIL": "boot@msp.example", "BIFROST_BOOTSTRAP_ADMIN_PASSWORD": password,
            ].merging(environment) { $1 }
            let (process, base) = try await start(in: folder, environment: shared)
            let (status, login) = try await ServerProcess.postJSON(
                "\(base)/auth/login", ["email": "boot@msp.example", "password": password])
            guard let token = login["access_token"] as? String else {
                throw GatewayDidNotStart(
                    output: "\(process.output.suffix(3_000))\nlogin failed with \(status) \(login)")
            }
            try await body(
                RunningGateway(baseURL: base, adminToken: token, process: process, folder: folder, environment: shared),
                url
            )
            try await stop(process)
        }
    }

    /// Starts another replica of this gateway: a second `bifrost serve` on the same database and data folder (the
    /// database holds the signing keys, so this one's admin token works there too), with `environment` added; runs `body`
    /// with it and stops it with SIGTERM, expecting a clean exit.
    public func withReplica(
        environment extra: [String: String] = [:], _ body: (RunningGateway) async throws -> Void
    ) async throws {
        let environment = environment.merging(extra) { $1 }
        let (process, base) = try await Self.start(in: folder, environment: environment)
        try await body(
            RunningGateway(
                baseURL: base, adminToken: adminToken, process: process, folder: folder, environment: environment)
        )
        try await Self.stop(process)
    }

    /// Starts `bifrost serve` on a free port and waits until it is ready.
    private static func start(in folder: URL, environment: [String: String]) async throws -> (ServerProcess, String) {
        do {
            let (process, port) = try await ServerProcess.serving(
                arguments: ["serve"], workingDirectory: folder, environment: environment, within: .seconds(60))
            return (process, "http://127.0.0.1:\(port)")
        } catch let failure as ServerProcess.NotServing {
            throw GatewayDidNotStart(output: failure.output)
        }
    }

    private static func stop(_ process: ServerProcess) async throws {
        process.signal(SIGTERM)
        guard await process.waitForExit(within: .seconds(60)) == 0 else {
            throw GatewayDidNotStart(output: "it did not stop cleanly:\n\(process.output.suffix(2_000))")
        }
    }

    /// The gateway did not start, or stop, as expected.
    public struct GatewayDidNotStart: Error, CustomStringConvertible {
        public let output: String
        public var description: String { "bifrost serve: \(output.suffix(4_000))" }
    }
}
