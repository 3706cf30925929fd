import Bifrost

/// The seed's list-processing pattern: items without an `id` fail, the rest are processed.
struct ProcessItems: Workflow {
    static let configuration = WorkflowConfiguration("process_items", description: "Process a list of items")

    @Param(.list, help: "Objects, each with an \"id\"") var items: [JSONValue]

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        var results: [JSONValue] = []
        var errors: [JSONValue] = []
        for item in items {
            if let id = item["id"], id != .null {
                results.append(["id": id, "status": "processed"])
            } else {
                errors.append(["item": item, "error": "item has no id"])
            }
        }
        return [
            "processed": .int(results.count), "failed": .int(errors.count), "results": .array(results),
            "errors": .array(errors), "success": .bool(errors.isEmpty),
        ]
    }
}
