import BifrostStore
import BifrostTestSupport
import Testing

/// The start-up report of how many replicas fit in the database's connections, read from a real server.
@Suite struct ConnectionBudgetTests {
    @Test func theBudgetComesFromTheServersSettings() async throws {
        try await TestPostgres.withMigratedDatabase { _, client in
            let budget = try await ConnectionBudget.read(from: client, perReplica: 20, logger: TestPostgres.logger)
            let rows = try await client.query(
                "SELECT current_setting('max_connections')::int", logger: TestPostgres.logger)
            for try await maximum in rows.decode(Int.self) { #expect(budget.maximum == maximum) }
            #expect(budget.reserved >= 0 && budget.reserved < budget.maximum)
            #expect(budget.inUse >= 1)
            #expect(budget.replicasThatFit == (budget.maximum - budget.reserved) / 20)
        }
        // PostgreSQL's default of 100 with 3 reserved: four replicas of 20, five of 19.
        #expect(ConnectionBudget(maximum: 100, reserved: 3, inUse: 0, perReplica: 20).replicasThatFit == 4)
        #expect(ConnectionBudget(maximum: 100, reserved: 3, inUse: 0, perReplica: 19).replicasThatFit == 5)
    }
}
