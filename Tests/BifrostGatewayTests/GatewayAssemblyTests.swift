import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Testing

/// `bifrost serve` and the test harness run what `Gateway.assemble` builds: the same services, none left out.
@Suite struct GatewayAssemblyTests {
    @Test func theHarnessRunsEveryServiceThatServeRuns() async throws {
        try await GatewayHarness.withGatewayAndDatabase { _, context in
            let assembly = try Gateway.assemble(
                configuration: GatewayConfiguration(),
                dependencies: try await GatewayHarness.dependencies(database: context.database),
                logger: TestPostgres.logger
            )
            let serve = GatewayAssembly.names(
                of: GatewayServer.services(
                    of: assembly, database: context.database, embedded: nil, http: GatewayConfiguration().http)
            )
            // The harness runs the database pool itself, and serve's HTTP server through HummingbirdTesting.
            #expect(serve.first == "PostgresClient")
            #expect(Array(serve.dropFirst()) == context.services)
            for service in [
                "MigrationService", "NotificationListener", "InstanceHeartbeat", "ScheduleTicker", "RetentionSweeper",
                "OAuthRefresher", "QueueSampler", "JobWorkers",
            ] {
                #expect(context.services.contains(service), "the harness does not run \(service)")
            }
            #expect(context.services.last?.hasPrefix("Application<") == true)
        }
    }
}
