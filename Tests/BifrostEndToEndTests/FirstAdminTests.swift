import BifrostStore
import BifrostTestSupport
import Foundation
import Testing

/// The two ways an operator gets a first platform admin, then logs in against the real server.
@Suite struct FirstAdminTests {
    @Test func usersCreateAndBootstrapAdminBothLogIn() async throws {
        try await TestPostgres.withDatabase { url in
            let folder = FileManager.default.temporaryDirectory
            let environment = [
                "BIFROST_DATABASE_URL": url.urlStringWithPassword,
                "BIFROST_DATA_DIRECTORY": folder.appendingPathComponent("bifrost-e2e-\(UUID().uuidString)").path,
                "BIFROST_BOOTSTRAP_ADMIN_EMAIL": "boot@msp.example",
                "BIFROST_BOOTSTRAP_ADMIN_PASSWORD": "bootstrap password 1",
            ]
            // The bootstrap account is made only when no user exists; this command creates the first user.
            let create = try ServerProcess(
                arguments: ["users", "create", "--email", "ops@msp.example", "--platform-admin"],
                workingDirectory: folder, environment: environment, standardInput: "operator password 1\n"
            )
            #expect(await create.waitForExit(within: .seconds(60)) == 0, "\(create.output)")
            #expect(create.output.contains("created platform_admin ops@msp.example"))
            #expect(!create.output.contains("operator password 1"))

            let short = try ServerProcess(
                arguments: ["users", "create", "--email", "x@msp.example", "--platform-admin"],
                workingDirectory: folder, environment: environment, standardInput: "short\n"
            )
            #expect(await short.waitForExit(within: .seconds(30)) == 2)

            let (server, port) = try await ServerProcess.serving(
                arguments: ["serve"], workingDirectory: folder, environment: environment)
            let login = "http://127.0.0.1:\(port)/auth/login"
            let (status, body) = try await ServerProcess.postJSON(
                login, ["email": "OPS@msp.example", "password": "operator password 1"])
            #expect(status == 200)
            #expect((body["access_token"] as? String)?.split(separator: ".").count == 3)
            let (bootStatus, _) = try await ServerProcess.postJSON(
                login, ["email": "boot@msp.example", "password": "bootstrap password 1"])
            #expect(bootStatus == 401, "bootstrap must not run when a user exists")
            #expect(!server.output.contains("bootstrap password 1"))
            server.signal(SIGTERM)
            #expect(await server.waitForExit(within: .seconds(60)) == 0)
        }
    }

    @Test func bootstrapAdminIsCreatedOnAnEmptyDatabase() async throws {
        try await TestPostgres.withDatabase { url in
            let folder = FileManager.default.temporaryDirectory
            let (server, port) = try await ServerProcess.serving(
                arguments: ["serve"], workingDirectory: folder,
                environment: [
                    "BIFROST_DATABASE_URL": url.urlStringWithPassword,
                    "BIFROST_DATA_DIRECTORY": folder.appendingPathComponent("bifrost-e2e-\(UUID().uuidString)").path,
                    "BIFROST_BOOTSTRAP_ADMIN_EMAIL": "boot@msp.example",
                    "BIFROST_BOOTSTRAP_ADMIN_PASSWORD": "bootstrap password 1",
                ]
            )
            let (status, _) = try await ServerProcess.postJSON(
                "http://127.0.0.1:\(port)/auth/login",
                ["email": "boot@msp.example", "password": "bootstrap password 1"]
            )
            #expect(status == 200, "\(server.output)")
            server.signal(SIGTERM)
            #expect(await server.waitForExit(within: .seconds(60)) == 0)
        }
    }
}
