import Bifrost

/// The seed's file example: writes `data/output.txt` in the organisation's workspace, then reads it back; a scratch
/// copy in the run's temporary space is gone when the run ends.
struct SaveOutput: Workflow {
    static let configuration = WorkflowConfiguration(
        "save_output", description: "Write data/output.txt in the workspace and read it back"
    )

    @Param(.string, .maxLength(10_000), default: "content", help: "What to write") var content: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        try await context.files.write("scratch.txt", content, location: .temp)
        try await context.files.write(
            "data/output.txt", try await context.files.readText("scratch.txt", location: .temp))
        let saved = try await context.files.readText("data/output.txt")
        let listed = try await context.files.list("data")
        return ["path": "data/output.txt", "content": .string(saved), "files": .array(listed.map(JSONValue.string))]
    }
}
