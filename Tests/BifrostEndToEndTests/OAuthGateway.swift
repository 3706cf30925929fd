import BifrostTestSupport
import Foundation
import Testing

/// A real `bifrost serve` whose `microsoft` provider is a fake one on loopback (a providers file of its own), with
/// the settings a loopback provider needs, and what the OAuth end-to-end tests do with it.
struct OAuthGateway: Sendable {
    let gateway: RunningGateway
    /// The bootstrap platform admin.
    let platform: APICaller

    /// Starts the gateway for `provider` (and `environment`), runs `body`, stops it.
    static func with(
        _ provider: FakeOAuthProvider, environment: [String: String] = [:],
        _ body: @Sendable (OAuthGateway) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bifrost-oauth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = [
            "BIFROST_OAUTH_PROVIDERS_FILE": try provider.writeCatalogue(in: folder),
            "BIFROST_OAUTH_ALLOW_INSECURE_LOOPBACK": "true",
            "BIFROST_AUTH_PASSWORD_ITERATIONS": "100000",
        ].merging(environment) { $1 }
        try await RunningGateway.with(environment: settings) { gateway, _ in
            try await body(
                OAuthGateway(
                    gateway: gateway, platform: APICaller(base: gateway.baseURL, token: gateway.adminToken)
                ))
        }
    }

    /// Creates organisation `name` and an admin of it, signed in. - Returns: its id, and its admin.
    func organization(_ name: String) async throws -> (id: String, admin: APICaller) {
        let created = try await platform(.POST, "/api/organizations", ["name": name])
        let id = try #require(created.object["id"] as? String, "\(created.object)")
        let email = "admin@\(name.lowercased()).example"
        let password = "org admin password \(UUID().uuidString.prefix(8))"
        let user = try await platform.inOrganization(id)(
            .POST, "/api/users", ["email": email, "role": "org_admin", "password": password]
        )
        #expect(user.status == 201, "\(user.object)")
        let login = try await APICaller(base: gateway.baseURL, token: nil)(
            .POST, "/auth/login", ["email": email, "password": password]
        )
        let token = try #require(login.object["access_token"] as? String, "\(login.object)")
        return (id, APICaller(base: gateway.baseURL, token: token))
    }

    /// What an admin posts to create connection `name` to `provider` (its default client) with `flow`.
    static func connection(
        _ name: String, _ provider: FakeOAuthProvider, flow: String = "client_credentials", extra: [String: Any] = [:]
    ) -> [String: Any] {
        [
            "name": name, "provider": "microsoft", "flow": flow, "client_id": provider.clientID,
            "client_secret": provider.clientSecret, "scopes": ["User.Read.All"],
        ].merging(extra) { $1 }
    }

    /// Runs `list_m365_users` as `caller`. - Returns: the run's answer (its `status`, `result`, `error`).
    static func listUsers(as caller: APICaller) async throws -> [String: Any] {
        try await caller(.POST, "/api/workflows/list_m365_users/execute", ["input": [:]]).object
    }

    /// The addresses of the users a `list_m365_users` run answered (empty when it failed).
    static func emails(_ run: [String: Any]) -> [String] {
        ((run["result"] as? [String: Any])?["users"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
    }

    /// Starts the authorization of connection `name` as `caller`. - Returns: the cookie its answer set (as a
    /// `Cookie` header value), if any, and the provider address it gave.
    static func authorize(_ name: String, as caller: APICaller) async throws -> (cookie: String?, url: String) {
        let answer = try await caller(.POST, "/api/oauth/connections/\(name)/authorize")
        #expect(answer.status == 200, "\(answer.object)")
        let cookie = answer.headers.first(name: "Set-Cookie")?.split(separator: ";").first.map(String.init)
        return (cookie, try #require(answer.object["authorization_url"] as? String))
    }

    /// Follows a provider address as a browser would, up to the redirect back: the callback path and query.
    static func browse(_ authorizationURL: String) async throws -> String {
        let answer = try await ServerProcess.exchange(.GET, authorizationURL)
        let location = try #require(answer.headers.first(name: "Location"))
        let components = try #require(URLComponents(string: location))
        return components.path + "?" + (components.percentEncodedQuery ?? "")
    }
}
