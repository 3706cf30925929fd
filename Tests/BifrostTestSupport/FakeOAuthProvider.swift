import BifrostCrypto
public import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A real OAuth 2.0 provider on 127.0.0.1 for tests: `GET /authorize` (redirects back with a code, remembering
/// the PKCE challenge), `POST /token` (authorization_code with S256 verification, refresh_token, client_credentials)
/// and a Graph-like `GET /v1.0/users` that wants a valid access token. It counts token requests and Graph requests,
/// can rotate refresh tokens strictly (a reused one is `invalid_grant`, and counted), and can answer slowly, with
/// 500, or with `invalid_grant` on demand. Besides `fake-client` it knows the clients a test registers; Graph's
/// users have addresses at `contoso.example` for `fake-client`'s tokens and at `<client id>.example` for another
/// client's, so a run's result says whose token it used.
public final class FakeOAuthProvider: Sendable {
    /// What the token endpoint does next.
    public enum Behaviour: Sendable, Equatable {
        case normal
        /// Answers 500 to the next `count` token requests.
        case failing(count: Int)
        /// Answers `invalid_grant` to every refresh.
        case rejectingRefresh
        /// Never answers within a client's patience.
        case hanging
        /// Answers 400 with this OAuth `error` and `error_description` to every token request.
        case rejecting(error: String, description: String)
    }

    /// `http://127.0.0.1:<port>`.
    public let baseURL: String
    public let clientID = "fake-client"
    public let clientSecret = "fake-client-secret"
    private let state: Shared

    final class Shared: Sendable {
        let lock = Mutex(State())
        func withLock<R: Sendable>(_ body: (inout sending State) throws -> sending R) rethrows -> R {
            try lock.withLock(body)
        }
    }

    struct State {
        var clients = ["fake-client": "fake-client-secret"]
        var tokenClients: [String: String] = [:]
        var graphRequests = 0
        /// The `traceparent` header of each Graph request and token request that had one.
        var traceParents: [String] = []
        var behaviour = Behaviour.normal
        var delay = Duration.zero
        var expiresIn: Double = 3_600
        var rotatesRefreshTokens = true
        var codes: [String: (challenge: String?, redirectURI: String)] = [:]
        var liveRefreshTokens: Set<String> = []
        var usedRefreshTokens: Set<String> = []
        var accessTokens: Set<String> = []
        var requests: [String: Int] = [:]
        var reusedRefreshTokens = 0
        var serial = 0
        /// Token requests wait here while `holding` (`holdTokenRequests`).
        var holding = false
        var held: [CheckedContinuation<Void, Never>] = []
        /// Where `GET /api/oauth/callback` here forwards (`forwardCallbacks(to:)`).
        var callbackTarget: String?

        mutating func next(_ prefix: String) -> String {
            serial += 1
            return "\(prefix)-\(serial)-\(UUID().uuidString.prefix(8))"
        }
    }

    private init(baseURL: String, state: Shared) {
        self.baseURL = baseURL
        self.state = state
    }

    public var authorizeURL: String { "\(baseURL)/authorize" }
    public var tokenURL: String { "\(baseURL)/token" }

    /// Token requests so far, by grant type.
    public func tokenRequests(_ grant: String) -> Int { state.withLock { $0.requests[grant] ?? 0 } }
    /// Token requests so far, of any grant.
    public var allTokenRequests: Int { state.withLock { $0.requests.values.reduce(0, +) } }
    /// Requests to the Graph-like user list so far, with a valid token or not.
    public var graphRequests: Int { state.withLock { $0.graphRequests } }

    /// The W3C `traceparent` headers token and Graph requests carried, in arrival order.
    public var traceParents: [String] { state.withLock { $0.traceParents } }

    private static func noteTraceParent(of request: Request, in state: Shared) {
        guard let name = HTTPField.Name("traceparent"), let value = request.headers[name] else { return }
        state.withLock { $0.traceParents.append(value) }
    }
    /// `oauth.redirectUri` for a gateway whose port is known only once it runs (HummingbirdTesting's live server):
    /// this provider's `/api/oauth/callback`, which forwards the browser to `forwardCallbacks(to:)`'s gateway.
    /// Cookies do not depend on the port, so the gateway's binding cookie (path `/api/oauth/callback`) still
    /// travels with the browser.
    public var callbackRelayURL: String { "\(baseURL)/api/oauth/callback" }
    /// Forwards browsers arriving at `callbackRelayURL` to the same path and query at `base`.
    public func forwardCallbacks(to base: String) { state.withLock { $0.callbackTarget = base } }

    /// Makes `clientID` with `secret` a client the token endpoint accepts.
    public func register(clientID: String, secret: String) { state.withLock { $0.clients[clientID] = secret } }

    /// A provider catalogue (`oauth.providersFile`) whose `microsoft` authorizes, issues tokens and serves Graph
    /// here; `generic` declares no API address.
    public var catalogueYAML: String {
        """
        microsoft:
          authorize_url: \(authorizeURL)
          token_url: \(tokenURL)
          default_scopes: [offline_access]
          pkce: true
          rotates_refresh_tokens: true
          api_base_urls: [\(baseURL)]
        generic:
          default_scopes: []
          pkce: true
        """
    }

    /// Writes `catalogueYAML` into `folder`. - Returns: the file's path.
    public func writeCatalogue(in folder: URL) throws -> String {
        let file = folder.appendingPathComponent("oauth-providers-\(UUID().uuidString.prefix(8)).yaml")
        try catalogueYAML.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
    /// Refresh tokens presented after they had been used (a strict-rotation provider refuses them).
    public var reusedRefreshTokens: Int { state.withLock { $0.reusedRefreshTokens } }
    /// Every access and refresh token issued so far (to look for them where they must not be).
    public var issuedTokens: [String] {
        state.withLock { Array($0.accessTokens) + Array($0.liveRefreshTokens) + Array($0.usedRefreshTokens) }
    }
    public func behave(_ behaviour: Behaviour) { state.withLock { $0.behaviour = behaviour } }
    /// Delays every token answer.
    public func delay(_ delay: Duration) { state.withLock { $0.delay = delay } }

    /// Makes token requests wait unanswered until `releaseTokenRequests()`.
    public func holdTokenRequests() { state.withLock { $0.holding = true } }

    /// Lets every held token request (and those to come) through.
    public func releaseTokenRequests() {
        let waiting = state.withLock { state in
            state.holding = false
            defer { state.held.removeAll() }
            return state.held
        }
        for request in waiting { request.resume() }
    }

    /// How many token requests are waiting unanswered.
    public var heldTokenRequests: Int { state.withLock { $0.held.count } }
    /// The lifetime of tokens issued from now on.
    public func issueTokens(lasting seconds: Double) { state.withLock { $0.expiresIn = seconds } }

    /// Runs `body` with a provider serving on a free loopback port, and stops it afterwards.
    public static func withProvider<Result: Sendable>(
        _ body: @Sendable (FakeOAuthProvider) async throws -> Result
    ) async throws -> Result {
        let state = Shared()
        let router = Router()
        router.get("authorize") { request, _ in
            let query = request.uri.queryParameters
            guard let redirect = query["redirect_uri"].map(String.init),
                let requestState = query["state"].map(String.init)
            else { return Response(status: .badRequest) }
            let code = state.withLock { state in
                let code = state.next("code")
                state.codes[code] = (query["code_challenge"].map(String.init), redirect)
                return code
            }
            var location = URLComponents(string: redirect)!
            location.queryItems = [
                URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: requestState),
            ]
            return Response(status: .found, headers: [.location: location.string!])
        }
        router.get("api/oauth/callback") { request, _ in
            guard let target = state.withLock({ $0.callbackTarget }) else { return Response(status: .notFound) }
            return Response(status: .found, headers: [.location: target + request.uri.description])
        }
        router.post("token") { request, _ in
            Self.noteTraceParent(of: request, in: state)
            let body = try await request.body.collect(upTo: 1 << 16)
            let form = FormBody.fields(String(buffer: body))
            return try await Self.token(form, state: state)
        }
        router.get("v1.0/users") { request, _ in
            Self.noteTraceParent(of: request, in: state)
            let header = request.headers[.authorization] ?? ""
            let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
            let client = state.withLock { state -> String? in
                state.graphRequests += 1
                return state.accessTokens.contains(token) ? state.tokenClients[token] : nil
            }
            guard let client else { return Response(status: .unauthorized) }
            let domain = client == "fake-client" ? "contoso.example" : "\(client).example"
            return try Self.json(
                200,
                [
                    "value": [
                        ["displayName": "Adele Vance", "mail": "adele@\(domain)"],
                        ["displayName": "Alex Wilber", "userPrincipalName": "alex@\(domain)"],
                    ]
                ])
        }
        return try await LoopbackServer.serve(router, label: "fake-oauth-provider") { port in
            try await body(FakeOAuthProvider(baseURL: "http://127.0.0.1:\(port)", state: state))
        }
    }

    private static func token(_ form: [String: String], state: Shared) async throws -> Response {
        let grant = form["grant_type"] ?? ""
        let (behaviour, delay) = state.withLock { state -> (Behaviour, Duration) in
            state.requests[grant, default: 0] += 1
            let behaviour = state.behaviour
            if case .failing(let count) = behaviour {
                state.behaviour = count > 1 ? .failing(count: count - 1) : .normal
            }
            return (behaviour, state.delay)
        }
        await withCheckedContinuation { (request: CheckedContinuation<Void, Never>) in
            let holding = state.withLock { state in
                if state.holding { state.held.append(request) }
                return state.holding
            }
            if !holding { request.resume() }
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        switch behaviour {
        case .failing: return try json(500, ["error": "server_error"])
        case .hanging: try await Task.sleep(for: .seconds(3_600))
        case .rejectingRefresh where grant == "refresh_token":
            return try json(400, ["error": "invalid_grant", "error_description": "revoked"])
        case .rejecting(let error, let description):
            return try json(400, ["error": error, "error_description": description])
        default: break
        }
        guard let client = form["client_id"], let secret = form["client_secret"],
            state.withLock({ $0.clients[client] }) == secret
        else {
            return try json(401, ["error": "invalid_client"])
        }
        return try state.withLock { state -> Response in
            var issueRefresh = true
            switch grant {
            case "authorization_code":
                guard let code = form["code"], let issued = state.codes.removeValue(forKey: code),
                    issued.redirectURI == form["redirect_uri"]
                else { return try json(400, ["error": "invalid_grant", "error_description": "unknown code"]) }
                if let challenge = issued.challenge {
                    let verifier = form["code_verifier"] ?? ""
                    guard Base64.urlSafe(SHA256Digest.hash(Array(verifier.utf8))) == challenge else {
                        return try json(
                            400, ["error": "invalid_grant", "error_description": "PKCE verification failed"])
                    }
                }
            case "refresh_token":
                let presented = form["refresh_token"] ?? ""
                guard state.liveRefreshTokens.contains(presented) else {
                    if state.usedRefreshTokens.contains(presented) { state.reusedRefreshTokens += 1 }
                    return try json(400, ["error": "invalid_grant", "error_description": "refresh token not valid"])
                }
                if state.rotatesRefreshTokens {
                    state.liveRefreshTokens.remove(presented)
                    state.usedRefreshTokens.insert(presented)
                } else {
                    issueRefresh = false
                }
            case "client_credentials":
                issueRefresh = false
            default:
                return try json(400, ["error": "unsupported_grant_type"])
            }
            let access = state.next("access")
            state.accessTokens.insert(access)
            state.tokenClients[access] = client
            var answer: [String: Any] = [
                "access_token": access, "token_type": "Bearer", "expires_in": state.expiresIn, "scope": "User.Read.All",
            ]
            if issueRefresh {
                let refresh = state.next("refresh")
                state.liveRefreshTokens.insert(refresh)
                answer["refresh_token"] = refresh
            }
            return try json(200, answer)
        }
    }

    private static func json(_ status: Int, _ object: [String: Any]) throws -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object)))
        )
    }
}
