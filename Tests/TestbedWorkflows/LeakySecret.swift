import Bifrost

/// A careless workflow: logs and returns the secret it read (`api_token`). The redaction and tracing tests use it
/// to show that what it leaks is hidden.
struct LeakySecret: Workflow {
    static let configuration = WorkflowConfiguration(
        "leaky_secret", description: "Leaks on purpose", requiresAdmin: true)

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        let token = try await context.secrets.get("api_token") ?? ""
        context.logger.info("using \(token) now", metadata: ["token": "\(token)", "nested": ["list": ["\(token)"]]])
        return ["token": .string(token), "length": .int(token.count)]
    }
}
