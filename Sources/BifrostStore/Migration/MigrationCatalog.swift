import Foundation

/// The migrations shipped with this build, read from the `Migrations` resource folder.
public enum MigrationCatalog {
    /// Why the shipped migrations are unusable; a packaging mistake, never a user's.
    public struct InvalidCatalog: Error, CustomStringConvertible {
        public var description: String
    }

    /// Every bundled migration, ordered by version.
    /// - Throws: `InvalidCatalog` for a badly named file or two files with one number.
    public static func bundled() throws -> [Migration] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw InvalidCatalog(description: "the Migrations resource folder is missing from the build")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for name in names {
            guard let version = name.split(separator: "_").first.flatMap({ Int($0) }) else {
                throw InvalidCatalog(description: "\(name): a migration file name starts with its number, e.g. 0001_")
            }
            let sql = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            migrations.append(Migration(version: version, fileName: name, sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (earlier, later) in zip(migrations, migrations.dropFirst()) where earlier.version == later.version {
            throw InvalidCatalog(description: "\(earlier.fileName) and \(later.fileName) share a number")
        }
        return migrations
    }
}
