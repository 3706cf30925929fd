import Bifrost

/// Checks that the organisation's ticket system is configured: its address from configuration, its API key
/// from secrets. Reports what is missing instead of failing, so a technician sees every gap at once.
struct CheckTicketSystem: Workflow {
    static let configuration = WorkflowConfiguration(
        "check_ticket_system", description: "Check the ticket system's address and API key", category: "Setup"
    )

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        let address: String? = try await context.config.get("ticket_api_url", as: String.self)
        let key = try await context.secrets.get("ticket_api_key")
        var missing: [JSONValue] = []
        if address == nil { missing.append("configuration ticket_api_url") }
        if key == nil { missing.append("secret ticket_api_key") }
        guard missing.isEmpty, let address, let key else {
            context.logger.warning("The ticket system is not fully configured")
            return ["success": false, "missing": .array(missing)]
        }
        // The key is never shown: the gateway hides every secret a run reads from its logs and result.
        context.logger.info("Using \(address) with key \(key)")
        return ["success": true, "address": .string(address), "key_length": .int(key.count)]
    }
}
