public import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A real multi-tenant identity platform on 127.0.0.1, shaped like Microsoft's: per-tenant endpoints under
/// `/{tenant}/…`, for tests of `per_organization` connections.
///
/// - `GET /{tenant}/oauth2/v2.0/authorize` redirects back with a code (the partner's sign-in);
/// - `POST /{tenant}/oauth2/v2.0/token` issues tokens for that tenant: `client_credentials` only when the tenant
///   consented to the client (else `unauthorized_client`, as an application missing from a directory is),
///   `refresh_token` with the partner's refresh token only for tenants the partner has delegated access to (else
///   `invalid_grant`), `authorization_code` for the partner's own tenant;
/// - `GET /{tenant}/v2.0/adminconsent` redirects back with `admin_consent=True&tenant=…`, or with `error` for a
///   tenant whose admin refuses, and records the consent;
/// - `GET /v1.0/organization` (Graph) answers with the tenant the presented token was issued for, and
///   `GET /v1.0/subscribedSkus` with one licence whose use differs per tenant.
///
/// It counts token requests per tenant, so a test can assert one provider request per tenant.
public final class FakeMicrosoftIdentity: Sendable {
    public let baseURL: String
    public let clientID = "partner-app"
    public let clientSecret = "partner-app-secret"
    private let box: StateBox

    struct State {
        var consented: Set<String> = []
        var refusingConsent: Set<String> = []
        var delegated: Set<String> = []
        var codes: [String: String] = [:]
        var refreshTokens: Set<String> = []
        var accessTokens: [String: String] = [:]
        var requests: [String: Int] = [:]
        var expiresIn: Double = 3_600
        var serial = 0

        mutating func next(_ prefix: String) -> String {
            serial += 1
            return "\(prefix)-\(serial)-\(UUID().uuidString.prefix(8))"
        }
    }

    private init(baseURL: String, box: StateBox) {
        self.baseURL = baseURL
        self.box = box
    }

    /// A provider catalogue whose `microsoft` is this platform, with `{tenant}` in its URLs.
    public var catalogueYAML: String {
        """
        microsoft:
          authorize_url: \(baseURL)/{tenant}/oauth2/v2.0/authorize
          token_url: \(baseURL)/{tenant}/oauth2/v2.0/token
          admin_consent_url: \(baseURL)/{tenant}/v2.0/adminconsent
          default_tenant: organizations
          default_scopes: [offline_access, https://graph.microsoft.com/.default]
          pkce: true
          rotates_refresh_tokens: true
          api_base_urls: [\(baseURL)]
        """
    }

    /// Token requests a tenant's endpoint received.
    public func tokenRequests(tenant: String) -> Int { box.state.withLock { $0.requests[tenant.lowercased()] ?? 0 } }
    /// Token requests every tenant's endpoint received.
    public var allTokenRequests: Int { box.state.withLock { $0.requests.values.reduce(0, +) } }
    /// Marks `tenant` as having consented to the application already (outside the gateway).
    public func consent(_ tenant: String) { _ = box.state.withLock { $0.consented.insert(tenant.lowercased()) } }
    /// Makes `tenant`'s admin refuse consent.
    public func refuseConsent(_ tenant: String) {
        _ = box.state.withLock { $0.refusingConsent.insert(tenant.lowercased()) }
    }
    /// Gives the partner delegated (GDAP) access to `tenant`, or (`false`) takes it away.
    public func delegate(_ tenant: String, _ granted: Bool = true) {
        box.state.withLock { state in
            if granted {
                state.delegated.insert(tenant.lowercased())
            } else {
                state.delegated.remove(tenant.lowercased())
            }
        }
    }
    /// The lifetime of tokens issued from now on.
    public func issueTokens(lasting seconds: Double) { box.state.withLock { $0.expiresIn = seconds } }
    /// The tenant an access token was issued for.
    public func tenant(of accessToken: String) -> String? { box.state.withLock { $0.accessTokens[accessToken] } }
    /// Every access and refresh token issued.
    public var issuedTokens: [String] {
        box.state.withLock { Array($0.accessTokens.keys) + Array($0.refreshTokens) }
    }

    /// Runs `body` with the platform serving on a free loopback port, and stops it afterwards.
    public static func withPlatform<Result: Sendable>(_ body: @Sendable (FakeMicrosoftIdentity) async throws -> Result)
        async throws -> Result
    {
        let router = Router()
        let box = StateBox()
        router.get(":tenant/oauth2/v2.0/authorize") { request, context in
            let query = request.uri.queryParameters
            let tenant = context.parameters.get("tenant") ?? ""
            guard let redirect = query["redirect_uri"].map(String.init), let given = query["state"].map(String.init)
            else { return Response(status: .badRequest) }
            let code = box.state.withLock { state in
                let code = state.next("code")
                state.codes[code] = tenant.lowercased()
                return code
            }
            return redirecting(to: redirect, [("code", code), ("state", given)])
        }
        router.get(":tenant/v2.0/adminconsent") { request, context in
            let query = request.uri.queryParameters
            let tenant = (context.parameters.get("tenant") ?? "").lowercased()
            guard let redirect = query["redirect_uri"].map(String.init), let given = query["state"].map(String.init)
            else { return Response(status: .badRequest) }
            let refused = box.state.withLock { state in
                if state.refusingConsent.contains(tenant) { return true }
                state.consented.insert(tenant)
                return false
            }
            if refused {
                return redirecting(
                    to: redirect,
                    [("error", "access_denied"), ("error_description", "The admin declined"), ("state", given)])
            }
            return redirecting(to: redirect, [("admin_consent", "True"), ("tenant", tenant), ("state", given)])
        }
        router.post(":tenant/oauth2/v2.0/token") { request, context in
            let tenant = (context.parameters.get("tenant") ?? "").lowercased()
            let body = try await request.body.collect(upTo: 1 << 16)
            var form: [String: String] = [:]
            for pair in String(buffer: body).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                if parts.count == 2 { form[parts[0]] = parts[1] }
            }
            return try box.token(form, tenant: tenant)
        }
        router.get("v1.0/organization") { request, _ in
            let header = request.headers[.authorization] ?? ""
            let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
            guard let tenant = box.state.withLock({ $0.accessTokens[token] }) else {
                return Response(status: .unauthorized)
            }
            return try json(200, ["value": [["id": tenant]]])
        }
        router.get("v1.0/subscribedSkus") { request, _ in
            let header = request.headers[.authorization] ?? ""
            let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
            guard let tenant = box.state.withLock({ $0.accessTokens[token] }) else {
                return Response(status: .unauthorized)
            }
            // Each tenant uses as many seats as the first hex digit of its id says: the answers differ per tenant.
            let used = Int(tenant.prefix(1), radix: 16) ?? 0
            return try json(
                200,
                [
                    "value": [
                        ["skuPartNumber": "SPE_E3", "consumedUnits": used, "prepaidUnits": ["enabled": 20]]
                    ]
                ])
        }
        return try await LoopbackServer.serve(router, label: "fake-microsoft-identity") { port in
            try await body(FakeMicrosoftIdentity(baseURL: "http://127.0.0.1:\(port)", box: box))
        }
    }

    /// The shared state, for the routes.
    private final class StateBox: Sendable {
        let state = Mutex(State())

        func token(_ form: [String: String], tenant: String) throws -> Response {
            try state.withLock { state -> Response in
                state.requests[tenant, default: 0] += 1
                guard form["client_id"] == "partner-app", form["client_secret"] == "partner-app-secret" else {
                    return try json(401, ["error": "invalid_client"])
                }
                var refresh: String?
                switch form["grant_type"] ?? "" {
                case "client_credentials":
                    guard state.consented.contains(tenant) else {
                        return try json(
                            400,
                            ["error": "unauthorized_client", "error_description": "AADSTS700016: not in directory"])
                    }
                case "authorization_code":
                    guard let code = form["code"], state.codes.removeValue(forKey: code) != nil else {
                        return try json(400, ["error": "invalid_grant"])
                    }
                    refresh = state.next("partner-refresh")
                case "refresh_token":
                    guard let presented = form["refresh_token"], state.refreshTokens.contains(presented) else {
                        return try json(400, ["error": "invalid_grant"])
                    }
                    guard state.delegated.contains(tenant) else {
                        return try json(
                            400, ["error": "invalid_grant", "error_description": "AADSTS50020: no access to tenant"])
                    }
                    // Microsoft answers a customer-tenant redemption with another refresh token; the partner's stays.
                    refresh = state.next("customer-refresh")
                default:
                    return try json(400, ["error": "unsupported_grant_type"])
                }
                let access = state.next("access-\(tenant.prefix(8))")
                state.accessTokens[access] = tenant
                var answer: [String: Any] = [
                    "access_token": access, "token_type": "Bearer", "expires_in": state.expiresIn,
                ]
                if let refresh {
                    state.refreshTokens.insert(refresh)
                    answer["refresh_token"] = refresh
                }
                return try json(200, answer)
            }
        }
    }

    private static func redirecting(to address: String, _ items: [(String, String)]) -> Response {
        guard var location = URLComponents(string: address) else { return Response(status: .badRequest) }
        location.queryItems = items.map { URLQueryItem(name: $0.0, value: $0.1) }
        return Response(status: .found, headers: [.location: location.string ?? address])
    }

    private static func json(_ status: Int, _ object: [String: Any]) throws -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object)))
        )
    }
}
