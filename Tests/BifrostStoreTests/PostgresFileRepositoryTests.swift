import Bifrost
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// Files in PostgreSQL: per scope and space, limited per file and per scope, temporary spaces cleaned up.
@Suite struct PostgresFileRepositoryTests {
    private let logger = TestPostgres.logger

    private func withFiles(
        limits: PostgresFileRepository.Limits,
        _ body: @Sendable (PostgresFileRepository, PostgresClient, Scope, Scope) async throws -> Void
    ) async throws {
        try await TestPostgres.withMigratedDatabase { _, client in
            let organizations = PostgresOrganizationRepository(client: client, logger: TestPostgres.logger)
            let a = Scope.organization(try await organizations.create(name: "A", domain: nil).id)
            let b = Scope.organization(try await organizations.create(name: "B", domain: nil).id)
            try await body(
                PostgresFileRepository(client: client, limits: limits, logger: TestPostgres.logger), client, a, b)
        }
    }

    @Test func sizesAreLimitedPerFileAndPerOrganization() async throws {
        try await withFiles(limits: .init(maximumFileSize: 10, maximumScopeSize: 25)) { files, _, a, b in
            let ten = [UInt8](repeating: 1, count: 10)
            await #expect(throws: PostgresFileRepository.LimitExceeded.file(size: 11, limit: 10)) {
                try await files.write(try StoredFilePath("big"), ten + [1], in: .workspace(a), by: "test")
            }
            try await files.write(try StoredFilePath("one"), ten, in: .workspace(a), by: "test")
            // A run's temporary files count too.
            try await files.write(try StoredFilePath("two"), ten, in: .temp(a, execution: UUID()), by: "test")
            await #expect(throws: PostgresFileRepository.LimitExceeded.scope(limit: 25)) {
                try await files.write(try StoredFilePath("three"), ten, in: .workspace(a), by: "test")
            }
            // Replacing a file counts its new size only; another organisation has its own allowance.
            try await files.write(
                try StoredFilePath("one"), [UInt8](repeating: 2, count: 5), in: .workspace(a), by: "test")
            try await files.write(try StoredFilePath("three"), ten, in: .workspace(a), by: "test")
            try await files.write(try StoredFilePath("one"), ten, in: .workspace(b), by: "test")
            #expect(
                try await files.read(try StoredFilePath("one"), in: .workspace(a)) == [UInt8](repeating: 2, count: 5))
            #expect(try await files.list(in: .workspace(a)).map(\.path) == ["one", "three"])
        }
    }

    @Test func concurrentWritesToOneOrganizationCannotTogetherExceedItsLimit() async throws {
        try await withFiles(limits: .init(maximumFileSize: 10, maximumScopeSize: 50)) { files, _, a, _ in
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        do {
                            try await files.write(
                                try StoredFilePath("f\(index)"), [UInt8](repeating: 0, count: 10), in: .workspace(a),
                                by: "t")
                            return true
                        } catch is PostgresFileRepository.LimitExceeded {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 5)
            #expect(try await files.list(in: .workspace(a)).reduce(0) { $0 + $1.size } == 50)
        }
    }

    @Test func spacesAreSeparateAndTemporaryFilesGoWithTheirRun() async throws {
        try await withFiles(limits: .init()) { files, client, a, b in
            let run = UUID()
            let path = try StoredFilePath("data/output.txt")
            try await files.write(path, Array("A's".utf8), in: .workspace(a), by: "test")
            try await files.write(path, Array("temp".utf8), in: .temp(a, execution: run), by: "test")
            #expect(try await files.read(path, in: .workspace(b)) == nil)
            #expect(try await files.read(path, in: .temp(a, execution: UUID())) == nil)
            #expect(try await files.delete(path, in: .workspace(b)) == false)
            #expect(
                try await files.list(in: .workspace(a), folder: try StoredFilePath("data")).map(\.path) == [
                    "data/output.txt"
                ])
            #expect(try await files.list(in: .workspace(a), folder: try StoredFilePath("dat")).isEmpty)

            try await files.deleteTemporaryFiles(of: run)
            #expect(try await files.read(path, in: .temp(a, execution: run)) == nil)
            #expect(try await files.read(path, in: .workspace(a)) == Array("A's".utf8))

            // A temporary file left by a run that ended with its process goes once it is an hour old.
            let orphan = UUID()
            try await files.write(path, Array("left".utf8), in: .temp(a, execution: orphan), by: "test")
            #expect(try await files.deleteOrphanedTemporaryFiles(olderThan: .seconds(3_600)) == 0)
            try await client.query(
                "UPDATE files SET created_at = now() - interval '2 hours' WHERE execution_id = \(orphan)",
                logger: logger
            )
            #expect(try await files.deleteOrphanedTemporaryFiles(olderThan: .seconds(3_600)) == 1)
        }
    }
}
