import Bifrost

/// The seed's synchronous example.
struct QuickLookup: Workflow {
    static let configuration = WorkflowConfiguration(
        "quick_lookup", description: "Look a record up by id", mode: .sync, timeout: .seconds(30), endpoint: .post
    )

    @Param(.string) var id: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        ["result": .string(try await Directory.lookup(id))]
    }
}
