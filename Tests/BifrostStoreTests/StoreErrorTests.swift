import BifrostStore
import BifrostTestSupport
import PostgresNIO
import Testing

/// What PostgreSQL refuses because of the data written is told apart from its own failures, with the field.
@Suite struct StoreErrorTests {
    @Test func refusalsOfTheDataNameTheirFieldAndOtherFailuresAreNotRefusals() async throws {
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { client in
                func refusal(_ sql: PostgresQuery) async -> StoreError? {
                    do {
                        try await client.query(sql, logger: TestPostgres.logger)
                        return nil
                    } catch let error as PSQLError {
                        return StoreError(refusal: error)
                    } catch {
                        return nil
                    }
                }
                let long = String(repeating: "n", count: 201)
                #expect(await refusal("INSERT INTO organizations (name) VALUES (\(long))") == .invalid("name"))
                #expect(
                    await refusal("INSERT INTO organizations (name) VALUES (\("nul\u{0}here"))") == .invalid("(body)"))
                #expect(await refusal("INSERT INTO organizations (name) VALUES (NULL)") == .invalid("name"))
                #expect(await refusal("SELECT '{\"a\": \"\\u0000\"}'::jsonb ->> 'a'") == .invalid("(body)"))
                #expect(await refusal("SELECT 'x'::int") == .invalid("(body)"))
                try await client.query(
                    "INSERT INTO organizations (name) VALUES ('Contoso')", logger: TestPostgres.logger)
                let duplicate = await refusal("INSERT INTO organizations (name) VALUES ('Contoso')")
                if case .conflict = duplicate {
                } else {
                    Issue.record("a unique violation is a conflict, not \(String(describing: duplicate))")
                }
                #expect(await refusal("SELECT * FROM no_such_table") == nil)
            }
        }
    }
}
