import Bifrost
import Foundation

/// The seed's OAuth example: the organisation's Microsoft 365 users, every page of Microsoft Graph's list, as
/// names and addresses. Graph's address is the one the operator's provider catalogue declares for `microsoft`
/// (the token's API base), never a configuration value an organisation could point elsewhere; `context.http`
/// attaches the token, retries throttled pages and follows `@odata.nextLink`.
struct ListM365Users: Workflow {
    static let configuration = WorkflowConfiguration(
        "list_m365_users", description: "List the organisation's Microsoft 365 users", category: "Microsoft 365"
    )

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        guard let token = try await context.oauth.getToken("microsoft") else {
            throw WorkflowError("This organisation has no \"microsoft\" OAuth connection")
        }
        guard let graph = token.apiBaseURL else {
            throw WorkflowError("The provider catalogue declares no API address for \"microsoft\"")
        }
        let url = graph.appending(path: "v1.0/users")
            .appending(queryItems: [URLQueryItem(name: "$select", value: "displayName,mail,userPrincipalName")])
        let users = try await context.http.collectPages(url, of: GraphUser.self, authorization: .oauth("microsoft"))
        context.logger.info("Listed \(users.count) users")
        let listed: [JSONValue] = users.map { user in
            ["name": .string(user.displayName ?? ""), "email": .string(user.mail ?? user.userPrincipalName ?? "")]
        }
        return ["users": .array(listed)]
    }
}

/// The part of a Graph user the workflow reads.
private struct GraphUser: Decodable, Sendable {
    var displayName: String?
    var mail: String?
    var userPrincipalName: String?
}
