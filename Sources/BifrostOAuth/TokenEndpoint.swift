public import AsyncHTTPClient
public import BifrostStore
public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Why a token request failed.
public enum TokenRequestFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The provider answered with an OAuth error (`invalid_grant`, …).
    case rejected(code: String, description: String?)
    /// No usable answer: a 5xx, a timeout, a network error, a malformed body. Worth retrying.
    case unavailable(String)

    /// The errors after which only an admin connecting again helps.
    public var needsReauth: Bool {
        if case .rejected(let code, _) = self {
            return ["invalid_grant", "invalid_client", "unauthorized_client"].contains(code)
        }
        return false
    }

    public var description: String {
        switch self {
        case .rejected(let code, let text): text.map { "\(code): \($0)" } ?? code
        case .unavailable(let reason): "provider unavailable: \(reason)"
        }
    }
}

/// A provider's token endpoint, over AsyncHTTPClient: the three grants the broker uses, client credentials sent in
/// the body (`client_secret_post`), each request bounded by `timeout` (connecting included).
public struct TokenEndpoint: Sendable {
    /// What a token answer without `expires_in` is taken to last.
    public static let defaultLifetime: TimeInterval = 3_600

    let http: HTTPClient
    let timeout: Duration

    public init(http: HTTPClient = .shared, timeout: Duration = .seconds(15)) {
        self.http = http
        self.timeout = timeout
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
            throw TokenRequestFailure.unavailable("\(type(of: error)): \(error)")
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
        if let code = json?["error"] as? String, response.status.code < 500 {
            throw TokenRequestFailure.rejected(code: code, description: json?["error_description"] as? String)
        }
        guard response.status == .ok, let json, let accessToken = json["access_token"] as? String, !accessToken.isEmpty
        else {
            throw TokenRequestFailure.unavailable("HTTP \(response.status.code) without a token")
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
