import BifrostCrypto
public import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Signing browsers in, as Entra's v2.0 endpoints do for the console's "Sign in with Microsoft":
///
/// - `GET /authorize` (`response_type=code`, `client_id`, `redirect_uri`, `state`, `nonce`, `code_challenge` with
///   `code_challenge_method=S256`) redirects to `redirect_uri` with a code and the state, remembering the challenge,
///   nonce, client and the user it signs in as (`signIn(as:)`); with no user set it redirects with
///   `error=access_denied`.
/// - `POST /token` (`grant_type=authorization_code`) checks the code, its client (and the client's secret, for a
///   client registered with one), its redirect URI and the PKCE verifier, and answers an ID token of that user with
///   `aud` the client id and the nonce.
/// - `GET /console/sign-in/{name}/callback` here forwards the browser to the same path at the gateway
///   (`forwardSignInCallbacks(to:)`): set `oauth.redirectUri` to `gatewayAddressRelay`, and the gateway, whose
///   port HummingbirdTesting picks when it starts, sends the issuer's answers here.
extension OIDCTestIssuer {
    public var authorizeURL: String { "\(baseURL)/authorize" }
    public var tokenURL: String { "\(baseURL)/token" }
    /// An address on this issuer to give the gateway as its public one (`oauth.redirectUri`): sign-in callbacks then
    /// come here and are forwarded to `forwardSignInCallbacks(to:)`'s gateway. Cookies do not depend on the port,
    /// so the browser's sign-in cookie travels on to the gateway.
    public var gatewayAddressRelay: String { "\(baseURL)/api/oauth/callback" }

    /// The user `/authorize` signs in from now on: `claims` with `aud` and `nonce` filled from each request.
    public func signIn(as claims: IDTokenClaims?) { state.withLock { $0.signInClaims = claims } }
    /// Makes `clientID` a confidential client: `/token` wants `secret` with its codes.
    public func registerClient(_ clientID: String, secret: String) {
        state.withLock { $0.clientSecrets[clientID] = secret }
    }
    /// Forwards sign-in callbacks arriving here to the same path and query at `base`.
    public func forwardSignInCallbacks(to base: String) { state.withLock { $0.callbackTarget = base } }
    /// Token requests for codes so far.
    public var codeRedemptions: Int { state.withLock { $0.codeRedemptions } }

    static func addSignInRoutes(to router: Router<BasicRequestContext>, state: Shared) {
        router.get("authorize") { request, _ in
            let query = request.uri.queryParameters
            func value(_ name: String) -> String? { query[name[...]].map(String.init) }
            guard value("response_type") == "code", let clientID = value("client_id"),
                let redirect = value("redirect_uri"), var location = URLComponents(string: redirect),
                let requestState = value("state"), let challenge = value("code_challenge"),
                value("code_challenge_method") == "S256"
            else { return Response(status: .badRequest) }
            let code = state.withLock { state -> String? in
                guard var claims = state.signInClaims else { return nil }
                claims.aud = clientID
                claims.nonce = value("nonce")
                let code = "code-" + Base64.urlSafe(SecureRandom.bytes(16))
                state.codes[code] = PendingCode(
                    clientID: clientID, redirectURI: redirect, challenge: challenge, nonce: value("nonce"),
                    claims: claims)
                return code
            }
            location.queryItems =
                code.map { [URLQueryItem(name: "code", value: $0)] } ?? [
                    URLQueryItem(name: "error", value: "access_denied"),
                    URLQueryItem(name: "error_description", value: "AADSTS50105: the user is not assigned"),
                ]
            location.queryItems?.append(URLQueryItem(name: "state", value: requestState))
            return Response(status: .found, headers: [.location: location.string ?? redirect])
        }
        router.post("token") { request, _ in
            let form = FormBody.fields(String(buffer: try await request.body.collect(upTo: 1 << 16)))
            return try await redeem(form, state: state)
        }
        router.get("console/sign-in/:name/callback") { request, _ in
            guard let target = state.withLock({ $0.callbackTarget }) else { return Response(status: .notFound) }
            return Response(status: .found, headers: [.location: target + request.uri.description])
        }
    }

    private static func redeem(_ form: [String: String], state: Shared) async throws -> Response {
        let answer = state.withLock { state -> Result<IDTokenClaims, RedemptionError> in
            state.codeRedemptions += 1
            guard form["grant_type"] == "authorization_code", let code = form["code"],
                let pending = state.codes.removeValue(forKey: code)
            else { return .failure(.init(status: 400, error: "invalid_grant")) }
            guard form["client_id"] == pending.clientID,
                state.clientSecrets[pending.clientID].map({ $0 == form["client_secret"] }) ?? true
            else { return .failure(.init(status: 401, error: "invalid_client")) }
            guard form["redirect_uri"] == pending.redirectURI,
                Base64.urlSafe(SHA256Digest.hash(Array((form["code_verifier"] ?? "").utf8))) == pending.challenge
            else { return .failure(.init(status: 400, error: "invalid_grant")) }
            return .success(pending.claims)
        }
        switch answer {
        case .failure(let refusal):
            var response = try json(["error": refusal.error, "error_description": "refused by the test issuer"])
            response.status = HTTPResponse.Status(code: refusal.status)
            return response
        case .success(let claims):
            return try json([
                "token_type": "Bearer", "expires_in": 3_600, "scope": "openid profile email",
                "access_token": "at-" + Base64.urlSafe(SecureRandom.bytes(16)),
                "id_token": try await sign(claims, state: state),
            ])
        }
    }

    private struct RedemptionError: Error {
        var status: Int
        var error: String
    }
}
