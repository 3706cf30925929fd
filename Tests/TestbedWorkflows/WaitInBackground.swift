import Bifrost

/// Waits in the background for a number of seconds. Safe to repeat, so it declares one retry: a run whose
/// gateway process dies is started once more by another replica.
struct WaitInBackground: Workflow {
    static let configuration = WorkflowConfiguration(
        "wait_in_background", description: "Wait in the background for a number of seconds", category: "Operations",
        mode: .async, timeout: .seconds(3_600), retries: 1
    )

    @Param(.float, .min(0), .max(3600)) var seconds: Double

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        context.logger.info("Waiting \(seconds) s")
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        return ["waited": .double(seconds)]
    }
}
