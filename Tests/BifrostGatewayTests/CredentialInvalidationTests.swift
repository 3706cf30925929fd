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
                let tokens = try await AccessTokens(
                    privateKeyPEM: AccessTokens.generatePrivateKeyPEM(), lifetime: .seconds(900))
                let catalogue = try WorkflowCatalogue(
                    workflows: ExampleWorkflows.workflows, dataProviders: ExampleWorkflows.dataProviders)
                @Sendable func replica(_ cache: CredentialCache) throws -> Application<
                    RouterResponder<GatewayRequestContext>
                > {
                    let schema = SchemaState()
                    schema.markCurrent()
                    let router = try Gateway.buildRouter(
                        configuration: GatewayConfiguration(),
                        dependencies: .init(
                            database: database, schema: schema, metrics: PrometheusCollectorRegistry(), tokens: tokens,
                            policy: try AccessPolicy.load(directory: nil), rateLimits: .unlimited, catalogue: catalogue,
                            credentials: cache
                        ),
                        logger: TestPostgres.logger
                    )
                    return Application(router: router, logger: TestPostgres.logger)
                }
                let cacheB = CredentialCache(lifetime: .seconds(600))
                let listening = Task {
                    try await NotificationListener(
                        client: database, subscriptions: [CredentialInvalidation.subscription(clearing: cacheB)],
                        logger: TestPostgres.logger
                    ).run()
                }
                defer { listening.cancel() }
                try await TestPostgres.waitForListener(database)

                let admin = try await AuthFixtures.createUser("root@msp.example", role: .platformAdmin, on: database)
                let jwt = try await AuthFixtures.signIn(admin, tokens: tokens, on: database)
                try await replica(CredentialCache()).test(.router) { replicaA in
                    try await replica(cacheB).test(.router) { replicaB in
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
