public import AsyncHTTPClient
public import BifrostStore
public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
public import Logging

/// A provider's token endpoint, over AsyncHTTPClient: the three grants the broker uses, client credentials sent in
/// the body (`client_secret_post`), each request bounded by `timeout` (connecting included).
public struct TokenEndpoint: Sendable {
    /// What a token answer without `expires_in` is taken to last.
    public static let defaultLifetime: TimeInterval = 3_600

    let http: HTTPClient
    let timeout: Duration
    let logger: Logger

    public init(
        http: HTTPClient = .shared, timeout: Duration = .seconds(15), logger: Logger = Logger(label: "bifrost.oauth")
    ) {
        self.http = http
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

    private func request(_ url: String, form: [(String, String)], clientID: String, clientSecret: String?)
        async throws -> IssuedTokens
    {
        var fields = form + [("client_id", clientID)]
        if let clientSecret { fields.append(("client_secret", clientSecret)) }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: Self.formEncoded(fields)))
        let started = Date()
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .init(timeout))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            logger.notice(
                "A token request got no answer",
                metadata: ["error.type": "\(type(of: error))", "error.message": "\(error)"]
            )
            throw TokenRequestFailure.unavailable(status: nil)
        }
        let status = response.status
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
        if let code = json?["error"] as? String, status.code < 500 {
            throw TokenRequestFailure.rejected(code: TokenRequestFailure.sanitizedErrorCode(code), status: Int(status.code))
        }
        guard status == .ok, let json, let accessToken = json["access_token"] as? String, !accessToken.isEmpty else {
            throw TokenRequestFailure.unavailable(status: Int(status.code))
        }
        let lifetime = (json["expires_in"] as? NSNumber)?.doubleValue
            ?? (json["expires_in"] as? String).flatMap(Double.init) ?? Self.defaultLifetime
        return IssuedTokens(
            accessToken: accessToken, tokenType: json["token_type"] as? String ?? "Bearer",
            refreshToken: json["refresh_token"] as? String, expiresAt: started.addingTimeInterval(lifetime),
            scopes: (json["scope"] as? String).map { $0.split(separator: " ").map(String.init) }
        )
    }

    /// `application/x-www-form-urlencoded`.
    static func formEncoded(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}
