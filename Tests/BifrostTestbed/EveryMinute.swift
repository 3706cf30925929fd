import Bifrost

/// Runs every minute and does nothing else: the multi-replica tests watch its slots fire once across replicas.
/// Not among `TestbedWorkflows` (it would run in every test's server): `bifrost-testbed` adds it when
/// `BIFROST_TESTBED_EVERY_MINUTE` is `1`.
struct EveryMinute: Workflow {
    static let configuration = WorkflowConfiguration(
        "every_minute", description: "Run every minute", category: "Operations", schedule: "* * * * *",
        exposeInForms: false
    )

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        ["ran": true]
    }
}
