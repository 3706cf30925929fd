import BifrostCrypto
public import Foundation
import Hummingbird
public import JWTKit
import Logging
import NIOCore
import Synchronization
import _CryptoExtras

/// A real OpenID Connect issuer on 127.0.0.1, shaped like Microsoft Entra ID v2: per-tenant issuers
/// `<base>/<tenant>/v2.0`, their metadata at `<issuer>/.well-known/openid-configuration`, one JWKS at
/// `<base>/discovery/v2.0/keys`, and RS256 tokens with a `kid`. Keys can be rotated; fetches are counted. It also
/// signs browsers in (`OIDCTestIssuer+SignIn.swift`: `/authorize` and `/token`, authorization code with PKCE).
public final class OIDCTestIssuer: Sendable {
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String
    let state: Shared

    final class Shared: Sendable {
        let lock = Mutex(State())
        func withLock<R: Sendable>(_ body: (inout sending State) throws -> sending R) rethrows -> R {
            try lock.withLock(body)
        }
    }

    struct State {
        /// Published keys, newest last; the newest signs.
        var keys: [(id: String, key: JWTKit.Insecure.RSA.PrivateKey)] = []
        var keySetFetches = 0
        /// Whom `/authorize` signs in (`signIn(as:)`); nil: it answers `access_denied`.
        var signInClaims: IDTokenClaims?
        /// Clients with a secret (`registerClient`); any other client id is a public client.
        var clientSecrets: [String: String] = [:]
        /// Codes `/authorize` issued and `/token` has not redeemed.
        var codes: [String: PendingCode] = [:]
        /// Token requests for a code so far, answered or refused.
        var codeRedemptions = 0
        /// Where sign-in callbacks arriving here are forwarded (`forwardSignInCallbacks(to:)`).
        var callbackTarget: String?
    }

    /// What `/authorize` remembers of a code for `/token`.
    struct PendingCode {
        var clientID: String
        var redirectURI: String
        var challenge: String
        var nonce: String?
        var claims: IDTokenClaims
    }

    private init(baseURL: String, state: Shared) {
        self.baseURL = baseURL
        self.state = state
    }

    /// Runs `body` with an issuer serving on a free loopback port, and stops it afterwards.
    public static func withIssuer<Result: Sendable>(
        _ body: @Sendable (OIDCTestIssuer) async throws -> Result
    ) async throws -> Result {
        let state = Shared()
        state.withLock { $0.keys = [(id: "key-1", key: try! makeKey())] }
        let router = Router()
        router.get("discovery/v2.0/keys") { _, _ in
            let set = state.withLock { state in
                state.keySetFetches += 1
                return state.keys.map { Self.publicJWK(id: $0.id, key: $0.key) }
            }
            return try Self.json(["keys": set])
        }
        addSignInRoutes(to: router, state: state)
        router.get(":tenant/v2.0/.well-known/openid-configuration") { request, context in
            let tenant = try context.parameters.require("tenant")
            let host = request.head.authority ?? "127.0.0.1"
            return try Self.json([
                "issuer": "http://\(host)/\(tenant)/v2.0", "jwks_uri": "http://\(host)/discovery/v2.0/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            ])
        }
        return try await LoopbackServer.serve(router, label: "oidc-test-issuer") { port in
            try await body(OIDCTestIssuer(baseURL: "http://127.0.0.1:\(port)", state: state))
        }
    }

    /// The issuer of tenant `tenantID`, as its tokens' `iss` spells it.
    public func issuer(tenantID: UUID) -> String { "\(baseURL)/\(tenantID.uuidString.lowercased())/v2.0" }
    /// The issuer pattern of a multi-tenant application.
    public var multiTenantIssuer: String { "\(baseURL)/{tenantid}/v2.0" }
    /// The key set's address.
    public var jwksURI: String { "\(baseURL)/discovery/v2.0/keys" }
    /// How many times the key set has been fetched.
    public var keySetFetches: Int { state.withLock { $0.keySetFetches } }
    /// The `kid` that signs new tokens.
    public var currentKeyID: String { state.withLock { $0.keys.last!.id } }

    /// Publishes a new key and signs with it from now on; the old key stays published when `keepingOld`.
    public func rotateKey(keepingOld: Bool = false) throws {
        let key = try Self.makeKey()
        state.withLock { state in
            let id = "key-\(state.keys.count + 1)-\(UUID().uuidString.prefix(8))"
            if !keepingOld { state.keys.removeAll() }
            state.keys.append((id: id, key: key))
        }
    }

    /// A token signed by the current key (or `signingKey`, to forge one), with `kid` `keyID` when given.
    public func token(
        _ claims: IDTokenClaims, keyID: String? = nil, signingKey: JWTKit.Insecure.RSA.PrivateKey? = nil
    ) async throws -> String {
        try await Self.sign(claims, state: state, keyID: keyID, signingKey: signingKey)
    }

    static func sign(
        _ claims: IDTokenClaims, state: Shared, keyID: String? = nil, signingKey: JWTKit.Insecure.RSA.PrivateKey? = nil
    ) async throws -> String {
        let (currentID, currentKey) = state.withLock { ($0.keys.last!.id, $0.keys.last!.key) }
        let kid = JWKIdentifier(string: keyID ?? currentID)
        let keys = JWTKeyCollection()
        await keys.add(rsa: signingKey ?? currentKey, digestAlgorithm: .sha256, kid: kid)
        return try await keys.sign(claims, kid: kid)
    }

    /// A 2048-bit RSA private key.
    public static func makeKey() throws -> JWTKit.Insecure.RSA.PrivateKey {
        try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    /// A key set publishing a fresh public key under each of `keyIDs`.
    public static func keySet(_ keyIDs: [String]) throws -> JWKS {
        let keys = try keyIDs.map { publicJWK(id: $0, key: try makeKey()) }
        return try JSONDecoder().decode(JWKS.self, from: JSONSerialization.data(withJSONObject: ["keys": keys]))
    }

    private static func publicJWK(id: String, key: JWTKit.Insecure.RSA.PrivateKey) -> [String: String] {
        let primitives = try! key.publicKey.getKeyPrimitives()
        return [
            "kty": "RSA", "use": "sig", "kid": id, "n": Base64.urlSafe(Array(primitives.modulus)),
            "e": Base64.urlSafe(Array(primitives.publicExponent)),
        ]
    }

    static func json(_ object: Any) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object)
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// The claims of an Entra-shaped ID or access token; every field optional so tests can leave any out.
public struct IDTokenClaims: JWTPayload {
    public var iss: String?
    public var aud: String?
    public var exp: Int?
    public var nbf: Int?
    public var iat: Int?
    public var tid: String?
    public var oid: String?
    public var email: String?
    public var preferred_username: String?
    public var name: String?
    /// The sign-in request's nonce, which an ID token repeats.
    public var nonce: String?

    /// A token of `tenantID` for `audience`, valid for `lifetime` seconds from now.
    public init(
        issuer: String, audience: String, tenantID: UUID, objectID: String = UUID().uuidString.lowercased(),
        email: String?, name: String? = nil, lifetime: Int = 600
    ) {
        let now = Int(Date().timeIntervalSince1970)
        iss = issuer
        aud = audience
        iat = now
        nbf = now
        exp = now + lifetime
        tid = tenantID.uuidString.lowercased()
        oid = objectID
        self.email = email
        self.name = name
    }

    public func verify(using algorithm: some JWTAlgorithm) throws {}
}
