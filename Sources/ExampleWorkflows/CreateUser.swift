import Bifrost
import Foundation

/// The seed's error-handling example: creates a user and logs its id.
struct CreateUser: Workflow {
    static let configuration = WorkflowConfiguration(
        "create_user", description: "Create a new user", endpoint: .post
    )

    @Param(.email) var email: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        let user = try await Directory.createUser(email: email)
        context.logger.info("Created user: \(user)")
        return ["user_id": "\(user)"]
    }
}
