import BifrostStore
import Foundation
import Testing

/// The migrations are compiled into the binary from a hand-kept list; the folder is the truth.
@Suite struct MigrationCatalogTests {
    @Test func everyFileOfTheMigrationsFolderIsBuiltInAndNothingElse() throws {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Sources/BifrostStore/Migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }
        #expect(files.sorted() == MigrationCatalog.embeddedFileNames.sorted())
        let migrations = try MigrationCatalog.bundled()
        #expect(migrations.map(\.version) == Array(1...migrations.count))
        for migration in migrations {
            let onDisk = try String(contentsOf: folder.appending(path: migration.fileName), encoding: .utf8)
            #expect(migration.sql == onDisk, "\(migration.fileName) differs from the file")
        }
    }
}
