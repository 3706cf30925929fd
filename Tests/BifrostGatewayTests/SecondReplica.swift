import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import ExampleWorkflows
import Foundation
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle
import Synchronization

/// Another gateway replica on the same database, built by `Gateway.assemble` as `bifrost serve` builds one, with
/// its own engine (its own process id) and every background service in a group, but no HTTP server.
struct SecondReplica: Sendable {
    let engine: ExecutionEngine
    /// The replica's cache of organisations' workflow narrowings.
    let workflowAccess: WorkflowAccessCache
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    /// Shuts the replica down as SIGTERM would, and waits until it has.
    func shutDownGracefully() async {
        await group.triggerGracefulShutdown()
        _ = await running.result
    }

    /// The replica's services ended before its schema was current.
    struct ServicesEnded: Error {}

    /// - Parameter keyRing: the key ring; by default one under the master key every test gateway shares.
    static func with(
        database: PostgresClient, configuration: GatewayConfiguration = GatewayConfiguration(),
        extraWorkflows: [any Workflow.Type] = [], keyRing: KeyRing? = nil,
        _ body: @Sendable (SecondReplica) async throws -> Void
    ) async throws {
        let dependencies = try await GatewayHarness.dependencies(
            database: database, extraWorkflows: extraWorkflows, keyRing: keyRing)
        let assembly = try Gateway.assemble(
            configuration: configuration, dependencies: dependencies, timing: GatewayHarness.timing,
            logger: TestPostgres.logger
        )
        let listeners = try await TestPostgres.listenerCount(database)
        let group = ServiceGroup(configuration: .init(services: assembly.background, logger: TestPostgres.logger))
        let ended = Mutex(false)
        let running = Task {
            defer { ended.withLock { $0 = true } }
            try await group.run()
        }
        let replica = SecondReplica(
            engine: assembly.engine, workflowAccess: dependencies.workflowAccess, group: group, running: running)
        defer { replica.running.cancel() }
        // Its migrations (none pending) mark the schema current, unless the services end first (a refusal).
        _ = try await eventually { dependencies.schema.isCurrent || ended.withLock { $0 } }
        guard dependencies.schema.isCurrent else {
            try await running.value
            throw ServicesEnded()
        }
        // Notifications sent before this replica listens (a cancellation, say) would be lost to it.
        try await TestPostgres.waitForListeners(database, count: listeners + 1)
        try await body(replica)
        await replica.shutDownGracefully()
    }
}
