import Bifrost

/// The seed's scheduled example: runs at 09:00 UTC every day and is not offered for manual runs.
struct DailyReport: Workflow {
    static let configuration = WorkflowConfiguration(
        "daily_report", description: "Send the daily report", schedule: "0 9 * * *", exposeInForms: false
    )

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        context.logger.info("Report generated for \(context.orgName ?? "global scope")")
        return ["status": "sent"]
    }
}
