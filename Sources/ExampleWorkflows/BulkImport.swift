import Bifrost

/// The seed's asynchronous example: imports each item of a list.
struct BulkImport: Workflow {
    static let configuration = WorkflowConfiguration(
        "bulk_import", description: "Import many items in the background", mode: .async, timeout: .seconds(1800),
        endpoint: .post
    )

    @Param(.list) var items: [JSONValue]

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        for (index, _) in items.enumerated() {
            try Task.checkCancellation()
            context.logger.info("Imported item \(index + 1) of \(items.count)")
        }
        return ["imported": .int(items.count)]
    }
}
