import BifrostTestSupport
import Foundation
import Testing

/// `bifrost migrate` against an external database, as an operator runs it before a deploy.
@Suite struct MigrateCommandTests {
    @Test func statusListsPendingThenMigrateAppliesAndStatusShowsApplied() async throws {
        try await TestPostgres.withDatabase { url in
            let folder = FileManager.default.temporaryDirectory
            let environment = ["BIFROST_DATABASE_URL": url.urlStringWithPassword]

            let before = try ServerProcess(
                arguments: ["migrate", "--status"], workingDirectory: folder, environment: environment)
            #expect(await before.waitForExit(within: .seconds(30)) == 0, "\(before.output)")
            #expect(before.output.contains("0001_organizations.sql"))
            #expect(before.output.contains("pending"))

            let apply = try ServerProcess(arguments: ["migrate"], workingDirectory: folder, environment: environment)
            #expect(await apply.waitForExit(within: .seconds(30)) == 0, "\(apply.output)")
            #expect(apply.output.contains("applied  0001_organizations.sql"))

            let again = try ServerProcess(arguments: ["migrate"], workingDirectory: folder, environment: environment)
            #expect(await again.waitForExit(within: .seconds(30)) == 0)
            #expect(again.output.contains("nothing to apply"))

            let after = try ServerProcess(
                arguments: ["migrate", "--status"], workingDirectory: folder, environment: environment)
            #expect(await after.waitForExit(within: .seconds(30)) == 0)
            #expect(!after.output.contains("pending"))
            #expect(!after.output.contains(url.password ?? "no password"), "the password must not be printed")
        }
    }
}
