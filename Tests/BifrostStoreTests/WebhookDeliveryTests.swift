import BifrostCrypto
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// Webhook deliveries on a real PostgreSQL: a `webhook-id` is new once per organisation and workflow, and
/// deleting an organisation deletes its deliveries (they have no foreign key to cascade since migration 0014).
@Suite struct WebhookDeliveryTests {
    @Test func aDeliveryIsNewOncePerOrganisationAndGoesWithItsOrganisation() async throws {
        try await TestPostgres.withMigratedDatabase { _, client in
            let keys = KeyRing(client: client, master: SecretKey.random(), logger: TestPostgres.logger)
            try await keys.open()
            let store = PostgresEndpointSecretRepository(client: client, keys: keys, logger: TestPostgres.logger)
            let organizations = PostgresOrganizationRepository(client: client, logger: TestPostgres.logger)
            let first = try await organizations.create(name: "First", domain: nil)
            let second = try await organizations.create(name: "Second", domain: nil)

            #expect(try await store.recordDelivery("msg_1", of: "quick_lookup", in: first.id))
            #expect(try await !store.recordDelivery("msg_1", of: "quick_lookup", in: first.id))
            #expect(try await store.recordDelivery("msg_1", of: "create_user", in: first.id))
            #expect(try await store.recordDelivery("msg_1", of: "quick_lookup", in: second.id))
            // Concurrent duplicates: exactly one is new.
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await store.recordDelivery("msg_2", of: "quick_lookup", in: first.id) }
                }
                var outcomes: [Bool] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(outcomes.filter { $0 }.count == 1)

            try await organizations.delete(first.id, force: true)
            let rows = try await client.query(
                "SELECT organization_id FROM webhook_deliveries ORDER BY webhook_id", logger: TestPostgres.logger
            )
            var left: [UUID] = []
            for try await organization in rows.decode(UUID.self) { left.append(organization) }
            #expect(left == [second.id])
        }
    }
}
