import Bifrost

/// Fails with the given message (for error handling tests).
struct AlwaysFail: Workflow {
    static let configuration = WorkflowConfiguration(
        "always_fail", description: "Fail with a message", category: "Operations"
    )

    @Param(.string) var message: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        throw WorkflowError(message)
    }
}
