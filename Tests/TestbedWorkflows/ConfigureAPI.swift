import Bifrost

/// The seed's configuration example: reads `api_url` with a default, and sets it when given a new one.
struct ConfigureAPI: Workflow {
    static let configuration = WorkflowConfiguration(
        "configure_api", description: "Read the API address, and set a new one if given", requiresAdmin: true
    )

    @Param(.string, help: "A new address to store") var url: String?

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        let current: String = try await context.config.get("api_url", default: "https://api.example.com")
        if let url { try await context.config.set("api_url", .string(url)) }
        return ["api_url": .string(current), "changed": .bool(url != nil)]
    }
}
