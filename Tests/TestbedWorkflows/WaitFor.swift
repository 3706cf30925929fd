import Bifrost

/// Waits cooperatively for `seconds` (for timeouts, cancellation and load tests).
struct WaitFor: Workflow {
    static let configuration = WorkflowConfiguration(
        "wait_for", description: "Wait for a number of seconds", category: "Operations", timeout: .seconds(2)
    )

    @Param(.float, .min(0), .max(3600)) var seconds: Double

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        return ["waited": .double(seconds)]
    }
}
