import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import BifrostRuntime

/// Finished runs older than the retention are deleted in batches, with their logs; unfinished and recent ones stay.
@Suite struct RetentionTests {
    @Test func expiredFinishedRunsAreDeletedInBatches() async throws {
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { database in
                try await database.query(
                    """
                    INSERT INTO executions (id, workflow, status, input, started_by, created_at)
                    SELECT gen_random_uuid(), 'old', 'Success', '{}'::jsonb, 'test', now() - interval '40 days' FROM generate_series(1, 5)
                    UNION ALL SELECT gen_random_uuid(), 'old_pending', 'Pending', '{}', 'test', now() - interval '40 days'
                    UNION ALL SELECT gen_random_uuid(), 'recent', 'Failed', '{}', 'test', now() - interval '2 days'
                    """,
                    logger: TestPostgres.logger
                )
                try await database.query(
                    """
                    INSERT INTO execution_logs (execution_id, sequence, level, message, logged_at)
                    SELECT id, 1, 'info', 'line', now() FROM executions
                    """,
                    logger: TestPostgres.logger
                )
                let sweeper = RetentionSweeper(
                    executions: PostgresExecutionRepository(client: database, logger: TestPostgres.logger),
                    retention: .seconds(30 * 86_400), schema: SchemaState(), logger: TestPostgres.logger, batchSize: 2
                )
                #expect(await sweeper.sweep() == 5)
                let rows = try await database.query(
                    "SELECT string_agg(workflow, ',' ORDER BY workflow), (SELECT count(*) FROM execution_logs) FROM executions",
                    logger: TestPostgres.logger
                )
                for try await (left, lines) in rows.decode((String, Int).self) {
                    #expect(left == "old_pending,recent")
                    #expect(lines == 2)
                }
                #expect(await sweeper.sweep() == 0)
            }
        }
    }
}
