import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostOAuth
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import Prometheus
import Testing

/// The metrics of issue 25, read from each test gateway's own registry after real requests against PostgreSQL:
/// runs, the queue, caches, schedules and OAuth token requests, labelled only by bounded values.
@Suite struct MetricsTests {
    private static let base = ISO8601DateFormatter().date(from: "2030-01-01T00:00:00Z")!

    @Test func runsAreCountedByWorkflowModeAndStatusAndTimed() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let member = world.memberA
            for _ in 0..<2 {
                let (status, _) = try await member(.post, "/api/workflows/quick_lookup/execute", ["input": ["id": "1"]])
                #expect(status == .ok)
            }
            _ = try await member(.post, "/api/workflows/always_fail/execute", ["input": ["message": "no"]])
            let (queued, _) = try await member(
                .post, "/api/workflows/quick_lookup/execute", ["input": ["id": "2"], "mode": "async"])
            #expect(queued == .accepted)
            let (unknown, _) = try await member(.post, "/api/workflows/no_such_flow/execute", ["input": [:]])
            #expect(unknown == .notFound)

            let finished = #"bifrost_workflow_runs_finished_total{workflow="quick_lookup",status="success"}"#
            #expect(try await eventually { MetricsText(context.metrics).count(finished) == 3 })
            let metrics = MetricsText(context.metrics)
            #expect(
                metrics.count(#"bifrost_workflow_runs_started_total{workflow="quick_lookup",mode="sync"}"#) == 2)
            #expect(
                metrics.count(#"bifrost_workflow_runs_started_total{workflow="quick_lookup",mode="async"}"#) == 1)
            #expect(
                metrics.count(#"bifrost_workflow_runs_finished_total{workflow="always_fail",status="failed"}"#) == 1)
            #expect(metrics.count(#"bifrost_workflow_run_duration_seconds_count{workflow="quick_lookup"}"#) == 3)
            #expect(metrics.count("bifrost_queue_claim_latency_seconds_count") == 1)
            #expect(metrics.value("bifrost_workers_busy") != nil)
            // A name the caller made up is never a label value.
            #expect(!metrics.text.contains("no_such_flow"))

            // The caller's token was verified once and then served from the cache; the organisation's workflow
            // narrowings were read once.
            #expect(metrics.count(#"bifrost_cache_lookups_total{cache="credentials",result="hit"}"#) >= 4)
            #expect(metrics.count(#"bifrost_cache_lookups_total{cache="workflow_access",result="miss"}"#) >= 1)
            #expect(metrics.count(#"bifrost_cache_lookups_total{cache="workflow_access",result="hit"}"#) >= 1)
            // No organisation or user id is a label value.
            #expect(!metrics.text.contains(world.orgA.uuidString.lowercased()))
            #expect(!metrics.text.contains(world.userA.id.uuidString.lowercased()))
        }
    }

    @Test func theQueueSamplerReportsWaitingRuns() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.workers = 0
        try await GatewayHarness.withGatewayAndDatabase(configuration: configuration) { _, context in
            let organization = try await AuthFixtures.createOrganization("A", on: context.database)
            let member = try await context.caller(
                try await AuthFixtures.createUser(
                    "m@a.example", role: .orgMember, organization: organization, on: context.database))
            for id in ["1", "2"] {
                let (status, _) = try await member(
                    .post, "/api/workflows/quick_lookup/execute", ["input": ["id": id], "mode": "async"])
                #expect(status == .accepted)
            }
            let sampler = QueueSampler(
                queue: PostgresJobQueue(client: context.database, logger: TestPostgres.logger),
                schema: SchemaState(), poolSize: 7, metrics: Gateway.metricsFactory(registry: context.metrics),
                logger: TestPostgres.logger
            )
            await sampler.sample()
            let metrics = MetricsText(context.metrics)
            #expect(metrics.value("bifrost_queue_depth") == 2)
            #expect(metrics.value("bifrost_db_pool_connections_max") == 7)
            // The statements above were counted: the peak since the process started is at least one.
            #expect((metrics.value("bifrost_db_statements_in_flight_peak") ?? 0) >= 1)
            #expect(metrics.value("bifrost_db_statements_in_flight") != nil)
            #expect((metrics.value("bifrost_queue_oldest_pending_age_seconds") ?? -1) >= 0)
        }
    }

    @Test func firedAndSkippedScheduleSlotsAreCounted() async throws {
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { database in
                let registry = PrometheusCollectorRegistry()
                let scheduler = WorkflowScheduler(
                    catalogue: try WorkflowCatalogue(workflows: [EveryMinute.self], dataProviders: []),
                    schedules: PostgresScheduleRepository(client: database, logger: TestPostgres.logger),
                    instanceID: UUID(), metrics: Gateway.metricsFactory(registry: registry),
                    logger: TestPostgres.logger
                )
                // First seen at 00:00:30: the 00:01 slot fires; then the process is down until 00:05, so 00:02,
                // 00:03 and 00:04 are skipped and 00:05 fires.
                await scheduler.tick(now: Self.base.addingTimeInterval(30))
                #expect(await scheduler.tick(now: Self.base.addingTimeInterval(70)).count == 1)
                #expect(await scheduler.tick(now: Self.base.addingTimeInterval(5 * 60 + 10)).count == 1)
                let metrics = MetricsText(registry)
                #expect(metrics.value("bifrost_schedule_slots_fired_total") == 2)
                #expect(metrics.value("bifrost_schedule_slots_missed_total") == 3)
            }
        }
    }

    @Test func tokenRequestsAreCountedByProviderAndOutcome() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await OAuthBrokerTests.withConnected(provider, flow: .clientCredentials) {
                _, client, keys, scope, connection in
                let registry = PrometheusCollectorRegistry()
                let broker = OAuthBroker(
                    connections: PostgresOAuthConnectionRepository(
                        client: client, keys: keys, logger: TestPostgres.logger),
                    catalogue: try OAuthProviderCatalogue.load(),
                    audit: PostgresAuditLog(client: client, logger: TestPostgres.logger),
                    settings: .forTests, metrics: Gateway.metricsFactory(registry: registry),
                    logger: TestPostgres.logger
                )
                #expect(try await broker.token("microsoft", for: scope) != nil)
                #expect(try await broker.token("microsoft", for: scope) != nil)
                var metrics = MetricsText(registry)
                #expect(
                    metrics.count(#"bifrost_oauth_token_requests_total{provider="microsoft",outcome="issued"}"#) == 1)
                #expect(metrics.count(#"bifrost_oauth_tokens_cached_total{provider="microsoft"}"#) == 1)
                #expect(metrics.count(#"bifrost_cache_lookups_total{cache="oauth_tokens",result="hit"}"#) == 1)

                broker.forgetAll()
                try await OAuthBrokerTests.expire(connection, on: client)
                provider.behave(.rejecting(error: "invalid_grant", description: "consent revoked"))
                await #expect(throws: OAuthBrokerError.self) { try await broker.token("microsoft", for: scope) }
                metrics = MetricsText(registry)
                #expect(
                    metrics.count(#"bifrost_oauth_token_requests_total{provider="microsoft",outcome="refused"}"#) == 1)
                // The connection's name and organisation are never label values.
                #expect(!metrics.text.contains(connection.id.uuidString.lowercased()))
                #expect(!metrics.text.contains(scope.organizationID?.uuidString.lowercased() ?? "-"))
            }
        }
    }
}

/// Runs every minute, once, in global scope.
private struct EveryMinute: Workflow {
    static let configuration = WorkflowConfiguration("every_minute", description: "", schedule: "* * * * *")
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}
