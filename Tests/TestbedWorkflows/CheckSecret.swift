import Bifrost

/// The seed's secrets example: reads a secret and tells only whether it exists and how long it is.
struct CheckSecret: Workflow {
    static let configuration = WorkflowConfiguration(
        "check_secret", description: "Tell whether a secret exists, and its length", category: "Operations",
        requiresAdmin: true
    )

    @Param(.string, .pattern("^[A-Za-z0-9_.-]{1,100}$")) var name: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        guard let value = try await context.secrets.get(name) else { return ["exists": false] }
        return ["exists": true, "length": .int(value.count)]
    }
}
