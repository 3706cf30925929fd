import BifrostTestSupport
import Foundation
import NIOHTTP1

/// Calls the real server's API as one user or key, optionally inside an organisation.
struct Caller {
    let base: String
    /// A bearer credential: an access token, an Entra ID token or an API key.
    let token: String

    /// The gateway's bootstrap admin.
    init(_ gateway: RunningGateway) {
        self.init(base: gateway.baseURL, token: gateway.adminToken)
    }

    init(base: String, token: String) {
        self.base = base
        self.token = token
    }

    /// The same caller on another replica.
    func on(_ gateway: RunningGateway) -> Caller { Caller(base: gateway.baseURL, token: token) }

    func callAsFunction(
        _ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, organization: String? = nil
    ) async throws -> (status: Int, body: [String: Any]) {
        var headers = ["Authorization": "Bearer \(token)"]
        if let organization { headers["X-Organization-Id"] = organization }
        return try await ServerProcess.send(method, base + path, json: body, headers: headers)
    }
}
