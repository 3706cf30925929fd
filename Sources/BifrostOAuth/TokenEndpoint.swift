import AsyncHTTPClient
public import BifrostStore
import BifrostTelemetry
public import Foundation
public import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Tracing

/// A provider's token endpoint, over AsyncHTTPClient: the three grants the broker uses and the console's OpenID
/// Connect sign-in (`identityToken`), client credentials sent in the body (`client_secret_post`), each request
/// bounded by `timeout` (connecting included) and its answer by 1 MiB.
///
/// Right before each request the token URL is checked by `policy` (DNS answers change), and the request connects to
/// the address that was checked; redirects are not followed, since they could lead anywhere.
public struct TokenEndpoint: Sendable {
    /// What a token answer without `expires_in` is taken to last.
    public static let defaultLifetime: TimeInterval = 3_600

    let policy: ProviderURLPolicy
    let timeout: Duration
    let logger: Logger

    public init(
        policy: ProviderURLPolicy = ProviderURLPolicy(), timeout: Duration = .seconds(15),
        logger: Logger = Logger(label: "bifrost.oauth")
    ) {
        self.policy = policy
        self.timeout = timeout
        self.logger = logger
    }

    /// Exchanges an authorization code (with its PKCE verifier).
    public func exchange(
        code: String, verifier: String?, redirectURI: String, at url: String, clientID: String, clientSecret: String?
    ) async throws -> IssuedTokens {
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)]
        if let verifier { form.append(("code_verifier", verifier)) }
        return try await request(url, form: form, clientID: clientID, clientSecret: clientSecret)
    }

    /// Redeems a refresh token.
    public func refresh(
        _ refreshToken: String, scopes: [String], at url: String, clientID: String, clientSecret: String?
    ) async throws -> IssuedTokens {
        var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if !scopes.isEmpty { form.append(("scope", scopes.joined(separator: " "))) }
        return try await request(url, form: form, clientID: clientID, clientSecret: clientSecret)
    }

    /// Mints a token for the client itself.
    public func clientCredentials(scopes: [String], at url: String, clientID: String, clientSecret: String?)
        async throws -> IssuedTokens
    {
        var form = [("grant_type", "client_credentials")]
        if !scopes.isEmpty { form.append(("scope", scopes.joined(separator: " "))) }
        return try await request(url, form: form, clientID: clientID, clientSecret: clientSecret)
    }

    /// Exchanges an authorization code of an OpenID Connect sign-in (with its PKCE verifier) for the ID token,
    /// which the caller verifies; the access token that comes with it is not kept.
    /// - Throws: `TokenRequestFailure`, as the other grants do; `unavailable` when the answer has no `id_token`.
    public func identityToken(
        code: String, verifier: String, redirectURI: String, at url: String, clientID: String, clientSecret: String?
    ) async throws -> String {
        let form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("code_verifier", verifier),
        ]
        let (status, json) = try await post(url, form: form, clientID: clientID, clientSecret: clientSecret)
        guard status == .ok, let idToken = json?["id_token"] as? String, !idToken.isEmpty else {
            throw TokenRequestFailure.unavailable(status: Int(status.code))
        }
        return idToken
    }

    private func request(_ url: String, form: [(String, String)], clientID: String, clientSecret: String?)
        async throws -> IssuedTokens
    {
        let started = Date()
        let (status, json) = try await post(url, form: form, clientID: clientID, clientSecret: clientSecret)
        guard status == .ok, let json, let accessToken = json["access_token"] as? String, !accessToken.isEmpty else {
            throw TokenRequestFailure.unavailable(status: Int(status.code))
        }
        let lifetime = Self.lifetime(json["expires_in"])
        return IssuedTokens(
            accessToken: accessToken, tokenType: json["token_type"] as? String ?? "Bearer",
            refreshToken: json["refresh_token"] as? String, expiresAt: started.addingTimeInterval(lifetime),
            scopes: (json["scope"] as? String).map { $0.split(separator: " ").map(String.init) }
        )
    }

    /// Posts `form` (with the client's credentials) to the checked `url`: the answer's status and JSON object.
    /// - Throws: `TokenRequestFailure`: `rejected` for an OAuth error below 500, `unavailable` without an answer,
    ///   `destinationRefused` when the URL's address is not allowed.
    private func post(_ url: String, form: [(String, String)], clientID: String, clientSecret: String?)
        async throws -> (HTTPResponseStatus, [String: Any]?)
    {
        let destination: ProviderURLPolicy.Destination
        do {
            destination = try await policy.check(url)
        } catch let refusal as ProviderURLPolicy.Refusal {
            logger.warning("A token URL was refused", metadata: ["error.message": "\(refusal)"])
            throw refusal == .notResolved ? TokenRequestFailure.unavailable(status: nil) : .destinationRefused
        }
        var fields = form + [("client_id", clientID)]
        if let clientSecret { fields.append(("client_secret", clientSecret)) }
        var request = HTTPClientRequest(url: destination.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: Self.formEncoded(fields)))
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        // AsyncHTTPClient's span would hold the whole address; the one below names the host only.
        configuration.tracing.tracer = nil
        if let pinned = destination.pinnedAddress { configuration.dnsOverride = [destination.host: pinned.description] }
        // A client per request, for the pinned address: token requests are few (one per connection per token lifetime).
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let answer: Result<(HTTPResponseStatus, ByteBuffer), any Error>
        let span = TracingSwitch.recordsChildren ? startSpan("POST token endpoint", ofKind: .client) : nil
        span?.attributes[SpanAttribute.httpMethod] = "POST"
        span?.attributes[SpanAttribute.serverAddress] = destination.host
        if let span {
            for field in PropagationHeaders.of(span.context) {
                request.headers.replaceOrAdd(name: field.name, value: field.value)
            }
        }
        do {
            let response = try await http.execute(request, timeout: .init(timeout))
            answer = .success((response.status, try await response.body.collect(upTo: 1 << 20)))
            span?.attributes[SpanAttribute.httpStatus] = Int(response.status.code)
        } catch {
            answer = .failure(error)
            span?.setStatus(SpanStatus(code: .error, message: String(describing: type(of: error))))
        }
        span?.end()
        try? await http.shutdown()
        let status: HTTPResponseStatus
        let body: ByteBuffer
        switch answer {
        case .success(let received): (status, body) = received
        case .failure(let error):
            logger.notice(
                "A token request got no answer",
                metadata: ["error.type": "\(type(of: error))", "error.message": "\(error)"]
            )
            throw TokenRequestFailure.unavailable(status: nil)
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
        if let code = json?["error"] as? String, status.code < 500 {
            throw TokenRequestFailure.rejected(
                code: TokenRequestFailure.sanitizedErrorCode(code), status: Int(status.code))
        }
        return (status, json)
    }

    /// Longest lifetime a token answer is believed; a provider's answer is data, and a date beyond what
    /// PostgreSQL stores (or an infinite one) must not reach the token cache.
    public static let maximumLifetime: TimeInterval = 10 * 365 * 86_400

    /// `expires_in` read as seconds (a number or a numeric string), clamped to 0…`maximumLifetime`;
    /// `defaultLifetime` when it is missing or not a finite number.
    static func lifetime(_ value: Any?) -> TimeInterval {
        let seconds = (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap(Double.init)
        guard let seconds, seconds.isFinite else { return defaultLifetime }
        return min(max(seconds, 0), maximumLifetime)
    }

    /// `application/x-www-form-urlencoded`.
    static func formEncoded(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}
