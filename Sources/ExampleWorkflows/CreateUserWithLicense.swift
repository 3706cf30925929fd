import Bifrost

/// The seed's chained-operations pattern: two logged steps.
struct CreateUserWithLicense: Workflow {
    static let configuration = WorkflowConfiguration(
        "create_user_with_license", description: "Create a user and assign a license"
    )

    @Param(.email) var email: String
    @Param(.string) var sku: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        context.logger.info("Creating user...")
        let user = try await Directory.createUser(email: email)
        context.logger.info("Assigning license...")
        return ["user_id": .string(user), "license": .string(sku)]
    }
}
