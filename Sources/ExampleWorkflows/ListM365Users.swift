import AsyncHTTPClient
import Bifrost
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The seed's OAuth example: the organisation's `microsoft` token, then Microsoft Graph's user list, returning
/// names and addresses. Graph's address is the one the operator's provider catalogue declares for `microsoft`
/// (the token's API base), never a configuration value an organisation could point elsewhere.
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
        var request = HTTPClientRequest(url: url.absoluteString)
        request.headers.add(name: "Authorization", value: try token.authorizationHeader(for: url))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        guard response.status == .ok else { throw WorkflowError("Microsoft Graph answered \(response.status.code)") }
        let body = try await response.body.collect(upTo: 16 << 20)
        let users = try JSONDecoder().decode(GraphUsers.self, from: Data(buffer: body)).value
        context.logger.info("Listed \(users.count) users")
        let listed: [JSONValue] = users.map { user in
            ["name": .string(user.displayName ?? ""), "email": .string(user.mail ?? user.userPrincipalName ?? "")]
        }
        return ["users": .array(listed)]
    }
}

/// The part of Graph's `GET /v1.0/users` answer the workflow reads.
private struct GraphUsers: Decodable {
    struct User: Decodable {
        var displayName: String?
        var mail: String?
        var userPrincipalName: String?
    }

    var value: [User]
}
