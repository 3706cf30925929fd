import BifrostStore
import BifrostTestSupport
import Foundation
import Logging
import Testing

/// What the command line tells a newcomer: its version, every setting, a mistyped flag, and the author's inner
/// loop (`bifrost workflows list` / `run`).
@Suite struct CommandLineTests {
    private let folder = FileManager.default.temporaryDirectory

    private func run(_ arguments: [String], environment: [String: String] = [:], shipped: Bool = false) async throws
        -> (status: Int32?, output: String)
    {
        let process = try ServerProcess(
            arguments: arguments, workingDirectory: folder, environment: environment,
            executable: shipped ? try ServerProcess.shippedBinaryPath() : nil
        )
        let status = await process.waitForExit(within: .seconds(60))
        return (status, process.output)
    }

    @Test func versionNamesTheReleaseAndTheCommit() async throws {
        let (status, output) = try await run(["--version"], shipped: true)
        #expect(status == 0)
        let line = output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.wholeMatch(of: /\d+\.\d+\.\d+ \(commit ([0-9a-f]{40}|unknown)\)/) != nil, "\(line)")
    }

    @Test func serveHelpListsEverySettingWithItsVariable() async throws {
        let (status, output) = try await run(["serve", "--help"], shipped: true)
        #expect(status == 0)
        for (flag, variable) in [
            ("--http-port", "BIFROST_HTTP_PORT"), ("--database-url", "BIFROST_DATABASE_URL"),
            ("--workflows-retention-days", "BIFROST_WORKFLOWS_RETENTION_DAYS"),
            ("--oidc-<name>-issuer", "BIFROST_OIDC_<NAME>_ISSUER"),
        ] {
            #expect(output.contains(flag) && output.contains(variable), "\(flag) is missing")
        }
        #expect(output.contains("default: 8080"))
    }

    @Test func aMistypedFlagIsAnErrorNamingTheClosestOne() async throws {
        let (status, output) = try await run(["serve", "--http-prot", "9000"], shipped: true)
        #expect(status == 64)
        #expect(output.contains("Unknown option '--http-prot'. Did you mean --http-port?"), "\(output)")
        let issuer = try await run(["migrate", "--status", "--oidc-corp-isuer", "x"], shipped: true)
        #expect(issuer.status == 64)
    }

    @Test func theShippedBinaryListsOnlyTheExamples() async throws {
        let (status, output) = try await run(["workflows", "list"], shipped: true)
        #expect(status == 0)
        #expect(output.contains("quick_lookup  [sync]"))
        #expect(output.contains("get_departments  [data provider]"))
        for testOnly in ["always_fail", "wait_for", "check_secret", "configure_api", "wait_in_background"] {
            #expect(!output.contains(testOnly), "\(testOnly) ships")
        }
    }

    @Test func workflowsRunPrintsTheLogAndResultAndExitsWithTheStatus() async throws {
        try await TestPostgres.withMigratedDatabase { url, client in
            let environment = ["BIFROST_DATABASE_URL": url.urlStringWithPassword]
            let organization = try await run(
                ["workflows", "run", "process_data", "--organization", "Nowhere"], environment: environment)
            #expect(organization.status == 2)
            #expect(organization.output.contains("there is no organisation Nowhere"))

            let name = "Contoso"
            _ = try await PostgresOrganizationRepository(client: client, logger: Logger(label: "test"))
                .create(name: name, domain: nil)
            let success = try await run(
                ["workflows", "run", "process_data", "--organization", name], environment: environment)
            #expect(success.status == 0, "\(success.output)")
            #expect(success.output.contains("info: Processing item 1 of 10..."))
            #expect(success.output.contains("\"success\" : true"))
            #expect(success.output.contains("Success in"))

            let failed = try await run(
                ["workflows", "run", "always_fail", "--organization", name, "--input", #"{"message":"boom"}"#],
                environment: environment)
            #expect(failed.status == 1, "\(failed.output)")
            #expect(failed.output.contains("Failed"))

            let refused = try await run(
                ["workflows", "run", "create_user", "--organization", name, "--input", #"{"email":"ada"}"#],
                environment: environment)
            #expect(refused.status == 2)
            #expect(refused.output.contains("email: must be an email address"))
        }
    }
}
