import BifrostCrypto
import BifrostOAuth

/// One sign-in through an OpenID Connect issuer, from the console's button to the issuer's callback: the issuer's
/// name, the `state` that binds the callback to this browser, the `nonce` the ID token must repeat, and the PKCE
/// verifier of the code (S256). Each random value is 32 bytes of `SecureRandom`, in base64url; the browser keeps
/// them in the `bifrost_sign_in` cookie (`ConsoleCookies`), which no script and no other site reads.
struct SignInAttempt: Sendable, Equatable {
    /// The issuer's name (`oidc.issuers`): lower-case letters and digits.
    let issuer: String
    let state: String
    let nonce: String
    let verifier: String

    /// A new attempt through `issuer`, with fresh random values.
    init(issuer: String) {
        self.init(
            issuer: issuer, state: Self.random(), nonce: Self.random(), verifier: Self.random())
    }

    private init(issuer: String, state: String, nonce: String, verifier: String) {
        self.issuer = issuer
        self.state = state
        self.nonce = nonce
        self.verifier = verifier
    }

    /// The attempt a `bifrost_sign_in` cookie holds; nil when the value is not one this gateway writes.
    init?(cookieValue: String) {
        let parts = cookieValue.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, (1...64).contains(parts[0].utf8.count),
            parts[0].utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }),
            parts.dropFirst().allSatisfy({ $0.utf8.count == Self.valueLength && Base64.decodeURLSafe($0) != nil })
        else { return nil }
        self.init(issuer: parts[0], state: parts[1], nonce: parts[2], verifier: parts[3])
    }

    /// The cookie's value: the four parts joined by dots (base64url has none).
    var cookieValue: String { [issuer, state, nonce, verifier].joined(separator: ".") }

    /// The PKCE code challenge of `verifier` (S256).
    var codeChallenge: String { AuthorizationRequest.codeChallenge(for: verifier) }

    /// Whether `presented` (the callback's `state`) is this attempt's, compared in constant time.
    func matches(state presented: String) -> Bool {
        ConstantTime.equals(Array(presented.utf8), Array(state.utf8))
    }

    /// Whether `presented` (the ID token's `nonce`) is this attempt's, compared in constant time.
    func matches(nonce presented: String?) -> Bool {
        guard let presented else { return false }
        return ConstantTime.equals(Array(presented.utf8), Array(nonce.utf8))
    }

    /// Characters of a 32-byte value in unpadded base64url.
    private static let valueLength = 43

    private static func random() -> String { Base64.urlSafe(SecureRandom.bytes(32)) }
}
