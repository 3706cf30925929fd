import Bifrost
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// Files through runs and the API: each organisation sees only its own, paths cannot escape, temporary files go
/// with their run.
@Suite struct FilesTests {
    @Test func runsWriteWorkspaceFilesThatOnlyTheirOrganizationSees() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let (status, body) = try await world.adminA(
                .post, "/api/workflows/save_output/execute", ["input": ["content": "hello A"]])
            #expect(status == .ok)
            let result = try #require((body as? [String: Any])?["result"] as? [String: Any])
            #expect(result["content"] as? String == "hello A")
            #expect(result["files"] as? [String] == ["data/output.txt"])
            #expect(try await Self.temporaryFileCount(context.database) == 0)

            let listed = try #require(try await world.adminA(.get, "/api/files").json as? [[String: Any]])
            #expect(listed.map { $0["path"] as? String } == ["data/output.txt"])
            #expect(listed.first?["size"] as? Int == 7)
            let download = try await world.adminA.raw(.get, "/api/files/data%2Foutput.txt")
            #expect(download.status == .ok)
            #expect(download.contentType == "application/octet-stream")
            #expect(download.body == Array("hello A".utf8))
            #expect((try await world.adminA(.get, "/api/files?folder=data").json as? [Any])?.count == 1)
            #expect((try await world.adminA(.get, "/api/files?folder=other").json as? [Any])?.isEmpty == true)

            // Organisation B sees nothing of A's, cannot delete it, and its run writes its own file.
            #expect((try await world.adminB(.get, "/api/files").json as? [Any])?.isEmpty == true)
            #expect(try await world.adminB.raw(.get, "/api/files/data%2Foutput.txt").status == .notFound)
            #expect(try await world.adminB(.delete, "/api/files/data%2Foutput.txt").status == .notFound)
            #expect(
                try await world.adminB(.post, "/api/workflows/save_output/execute", ["input": ["content": "B"]]).status
                    == .ok)
            #expect(try await world.adminA.raw(.get, "/api/files/data%2Foutput.txt").body == Array("hello A".utf8))
            #expect(try await world.adminB.raw(.get, "/api/files/data%2Foutput.txt").body == Array("B".utf8))

            // Members may not manage files; a path that escapes is refused, naming the field.
            #expect(try await world.memberA(.get, "/api/files").status == .forbidden)
            let escaping = try await world.adminA(.get, "/api/files/..%2F..%2Fetc%2Fpasswd")
            #expect(escaping.status == .unprocessableContent)
            #expect("\(escaping.json ?? "")".contains("path"))
            #expect(try await world.adminA(.get, "/api/files?folder=..").status == .unprocessableContent)

            #expect(try await world.adminA(.delete, "/api/files/data%2Foutput.txt").status == .noContent)
            #expect(try await world.adminA.raw(.get, "/api/files/data%2Foutput.txt").status == .notFound)
            #expect(try await world.adminB.raw(.get, "/api/files/data%2Foutput.txt").status == .ok)
        }
    }

    @Test func aRunsBadPathFailsItAndItsTemporaryFilesAreGoneWhenItEnds() async throws {
        try await GatewayHarness.withGatewayAndDatabase(extraWorkflows: [FileProbe.self]) { _, context in
            let org = try await AuthFixtures.createOrganization("A", on: context.database)
            let admin = try await context.caller(
                try await AuthFixtures.createUser(
                    "a@a.example", role: .orgAdmin, organization: org, on: context.database)
            )
            let (_, body) = try await admin(
                .post, "/api/workflows/file_probe/execute", ["input": ["path": "notes.txt"]])
            let run = try #require(body as? [String: Any])
            #expect(run["status"] as? String == "Success")
            // During the run its temporary file was there (listed), and another space was not.
            #expect((run["result"] as? [String: Any])?["temp"] as? [String] == ["notes.txt"])
            #expect((run["result"] as? [String: Any])?["workspace"] as? [String] == [])
            #expect(try await Self.temporaryFileCount(context.database) == 0)

            let (_, failed) = try await admin(
                .post, "/api/workflows/file_probe/execute", ["input": ["path": "../outside.txt"]])
            let failure = try #require(failed as? [String: Any])
            #expect(failure["status"] as? String == "Failed")
            #expect((failure["error"] as? String)?.contains("is not a valid file path") == true)
        }
    }

    private static func temporaryFileCount(_ database: PostgresClient) async throws -> Int {
        let rows = try await database.query(
            "SELECT count(*) FROM files WHERE location = 'temp'", logger: TestPostgres.logger)
        for try await count in rows.decode(Int.self) { return count }
        return -1
    }
}

/// Writes a temporary file at `path` and lists both spaces.
private struct FileProbe: Workflow {
    static let configuration = WorkflowConfiguration("file_probe", description: "Writes a temporary file")

    @Param(.string) var path: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        try await context.files.write(path, "scratch", location: .temp)
        return [
            "temp": .array(try await context.files.list("", location: .temp).map(JSONValue.string)),
            "workspace": .array(try await context.files.list().map(JSONValue.string)),
        ]
    }
}
