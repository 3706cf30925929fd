import BifrostEngine
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import ExampleWorkflows
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Prometheus
import Testing

/// Two replicas on one database: a change made through one clears the other's credential cache at once.
@Suite struct CredentialInvalidationTests {
    @Test func aKeyRevokedThroughOneReplicaIsRefusedByAnotherWithoutWaitingForItsCache() async throws {
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { database in
                // B caches credentials for ten minutes.
                let dependenciesA = try await GatewayHarness.dependencies(database: database)
                let dependenciesB = try await GatewayHarness.dependencies(
                    database: database, credentials: CredentialCache(lifetime: .seconds(600)))
                try await GatewayHarness.withGateway(dependenciesA) { replicaA, contextA in
                    try await GatewayHarness.withGateway(dependenciesB) { replicaB, _ in
                        try await TestPostgres.waitForListeners(database, count: 2)
                        let admin = try await AuthFixtures.createUser(
                            "root@msp.example", role: .platformAdmin, on: database)
                        let jwt = try await contextA.token(for: admin)
                        let caller = AdminAPITestClient(client: replicaA, token: jwt)
                        let (_, created) = try await caller(
                            .post, "/api/api-keys", ["name": "ci", "role": "platform_admin"])
                        let object = try #require(created as? [String: Any])
                        let key = try #require(object["key"] as? String)
                        let id = try #require((object["api_key"] as? [String: Any])?["id"] as? String)
                        let viaKey: HTTPFields = [HTTPField.Name("X-Bifrost-Key")!: key]
                        #expect(
                            try await replicaB.execute(uri: "/auth/me", method: .get, headers: viaKey).status == .ok)

                        #expect(try await caller(.delete, "/api/api-keys/\(id)").status == .noContent)
                        // B cached the key for ten minutes; only the notification can make it refuse the key now.
                        var status = HTTPResponse.Status.ok
                        _ = try await eventually {
                            status = try await replicaB.execute(uri: "/auth/me", method: .get, headers: viaKey).status
                            return status != .ok
                        }
                        #expect(status == .unauthorized)
                    }
                }
            }
        }
    }
}
