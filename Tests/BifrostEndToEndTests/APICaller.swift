import BifrostTestSupport
import NIOHTTP1

/// Calls a real gateway's API as one principal, optionally inside an organisation, as clients do. Unlike `Caller`,
/// it may be anonymous (a browser coming back from a provider), send any header (a cookie) and see the answer's
/// headers (`Set-Cookie`), as the OAuth tests need.
struct APICaller: Sendable {
    let base: String
    let token: String?
    var organization: String?

    func callAsFunction(
        _ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, headers: [String: String] = [:]
    ) async throws -> ServerProcess.Answer {
        var all = headers
        if let token { all["Authorization"] = "Bearer \(token)" }
        if let organization { all["X-Organization-Id"] = organization }
        return try await ServerProcess.exchange(method, base + path, json: body, headers: all)
    }

    /// The same caller acting inside organisation `id`.
    func inOrganization(_ id: String) -> APICaller { APICaller(base: base, token: token, organization: id) }

    /// The same caller talking to another replica.
    func on(_ replica: String) -> APICaller { APICaller(base: replica, token: token, organization: organization) }
}
