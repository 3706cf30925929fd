import Bifrost

/// The seed's logging example: one line at each level.
struct ProcessData: Workflow {
    static let configuration = WorkflowConfiguration("process_data", description: "Process data, logging as it goes")

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        context.logger.debug("Starting detailed processing...")
        context.logger.info("Processing item 1 of 10...")
        context.logger.warning("Item 5 failed, continuing...")
        context.logger.error("Critical failure detected")
        return ["success": true]
    }
}
