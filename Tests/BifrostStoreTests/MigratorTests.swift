import BifrostStore
import BifrostTestSupport
import PostgresNIO
import Testing

@Suite struct MigratorTests {
    let logger = TestPostgres.logger

    private func count(_ sql: PostgresQuery, on client: PostgresClient) async throws -> Int {
        let rows = try await client.query(sql, logger: logger)
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }

    @Test func appliesShippedMigrationsOnceAndReportsThemApplied() async throws {
        try await TestPostgres.withDatabase { url in
            try await TestPostgres.withClient(url) { client in
                let migrations = try MigrationCatalog.bundled()
                #expect(!migrations.isEmpty)
                let migrator = Migrator(client: client, migrations: migrations, logger: logger)
                #expect(try await migrator.isCurrent() == false)
                let first = try await migrator.migrate()
                #expect(first.map(\.fileName) == migrations.map(\.fileName))
                let second = try await migrator.migrate()
                #expect(second.isEmpty)
                #expect(try await migrator.isCurrent())
                let status = try await migrator.status()
                #expect(status.allSatisfy { $0.appliedAt != nil })
                #expect(try await count("SELECT count(*)::int FROM organizations", on: client) == 0)
            }
        }
    }

    @Test func replicasStartingTogetherApplyEachMigrationOnce() async throws {
        try await TestPostgres.withDatabase { url in
            try await TestPostgres.withClient(url) { client in
                let migrations = [
                    Migration(
                        version: 1, fileName: "0001_a.sql", sql: "CREATE TABLE a (id int); INSERT INTO a VALUES (1);"),
                    Migration(
                        version: 2, fileName: "0002_b.sql", sql: "INSERT INTO a VALUES (2); SELECT pg_sleep(0.2);"),
                ]
                let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            try await Migrator(client: client, migrations: migrations, logger: logger).migrate().count
                        }
                    }
                    return try await group.reduce(0, +)
                }
                #expect(applied == 2)
                #expect(try await count("SELECT count(*)::int FROM a", on: client) == 2)
            }
        }
    }

    @Test func failedMigrationRollsBackAndNamesTheFile() async throws {
        try await TestPostgres.withDatabase { url in
            try await TestPostgres.withClient(url) { client in
                let migrations = [
                    Migration(version: 1, fileName: "0001_ok.sql", sql: "CREATE TABLE ok (id int);"),
                    Migration(
                        version: 2, fileName: "0002_broken.sql",
                        sql: "CREATE TABLE half (id int); INSERT INTO missing_table VALUES (1);"
                    ),
                ]
                let migrator = Migrator(client: client, migrations: migrations, logger: logger)
                let failure = await #expect(throws: Migrator.Failure.self) { try await migrator.migrate() }
                #expect(failure?.fileName == "0002_broken.sql")
                #expect(failure?.message.contains("missing_table") == true)
                // The first file stays applied; nothing of the second survives.
                let status = try await migrator.status()
                #expect(status.map { $0.appliedAt != nil } == [true, false])
                #expect(
                    try await count("SELECT count(*)::int FROM pg_tables WHERE tablename = 'half'", on: client) == 0)
            }
        }
    }
}
