import BifrostGateway
import BifrostStore
import BifrostTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus

/// Builds the real gateway router on a fresh database and drives it in-process.
enum GatewayHarness {
    /// - Parameters:
    ///   - migrate: whether to bring the schema up to date first (as `MigrationService` does at start-up).
    ///   - addRoutes: extra routes a test mounts behind the gateway's own middleware.
    static func withGateway(
        configuration: GatewayConfiguration = GatewayConfiguration(),
        migrate: Bool = true,
        logger: Logger = TestPostgres.logger,
        addRoutes: @Sendable (Router<GatewayRequestContext>) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, PrometheusCollectorRegistry) async throws -> Void
    ) async throws {
        try await TestPostgres.withDatabase { url in
            try await TestPostgres.withClient(url) { client in
                let schema = SchemaState()
                if migrate {
                    try await Migrator(client: client, migrations: MigrationCatalog.bundled(), logger: TestPostgres.logger)
                        .migrate()
                    schema.markCurrent()
                }
                let metrics = PrometheusCollectorRegistry()
                let router = try Gateway.buildRouter(
                    configuration: configuration,
                    dependencies: .init(database: client, schema: schema, metrics: metrics),
                    logger: logger
                )
                addRoutes(router)
                let app = Application(router: router, logger: logger)
                try await app.test(.router) { client in try await body(client, metrics) }
            }
        }
    }
}
