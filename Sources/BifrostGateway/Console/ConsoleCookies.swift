import BifrostCrypto
import Foundation

/// The console's session in the browser: three cookies, none readable by another site.
///
/// - `bifrost_session`: the gateway access token. `HttpOnly`, so no script reads it; `SameSite=Strict`, so no
///   other site's page sends it; `Path=/`; as long-lived as the token.
/// - `bifrost_refresh`: the login's single-use refresh token, `HttpOnly`, `SameSite=Strict`, sent only to
///   `/console/session`.
/// - `bifrost_csrf`: a random value the console's script reads and echoes in `X-CSRF-Token` on every request that
///   changes something (double submit): a forged request from elsewhere cannot read it.
///
/// While a sign-in through an OpenID Connect issuer is under way, a fourth: `bifrost_sign_in`, the attempt's state,
/// nonce and PKCE verifier (`SignInAttempt`), `HttpOnly`, `SameSite=Lax` (so that the issuer's top-level redirect
/// back brings it), sent only to `/console/sign-in`, for ten minutes, and cleared by the callback.
///
/// All are `Secure` when the gateway's public address (`oauth.redirectUri`) is https.
struct ConsoleCookies: Sendable {
    static let session = "bifrost_session"
    static let refresh = "bifrost_refresh"
    static let csrf = "bifrost_csrf"
    static let signIn = "bifrost_sign_in"
    /// How long a sign-in through an issuer may take, from the button to the callback.
    static let signInLifetime: Int64 = 600
    /// The header the console's script echoes the `bifrost_csrf` cookie in.
    static let csrfHeader = "X-CSRF-Token"

    /// Whether the cookies carry `Secure`.
    let secure: Bool

    /// The `Set-Cookie` values of a new session (or a refreshed one), with a new CSRF value.
    func setting(_ issued: PasswordSessions.Issued) -> [String] {
        let csrf = Base64.urlSafe(SecureRandom.bytes(32))
        let refreshAge = issued.refreshLifetime.components.seconds
        return [
            cookie(Self.session, issued.accessToken, path: "/", age: issued.accessLifetime.components.seconds),
            cookie(Self.refresh, issued.refreshToken, path: "/console/session", age: refreshAge),
            cookie(Self.csrf, csrf, path: "/", age: refreshAge, httpOnly: false),
        ]
    }

    /// The `Set-Cookie` values that remove the session's cookies.
    var clearing: [String] {
        [
            cookie(Self.session, "", path: "/", age: 0), cookie(Self.refresh, "", path: "/console/session", age: 0),
            cookie(Self.csrf, "", path: "/", age: 0, httpOnly: false),
        ]
    }

    /// The `Set-Cookie` value that keeps a sign-in attempt in the browser until the issuer sends it back.
    func startingSignIn(_ attempt: SignInAttempt) -> String {
        cookie(Self.signIn, attempt.cookieValue, path: "/console/sign-in", age: Self.signInLifetime, sameSite: "Lax")
    }

    /// The `Set-Cookie` value that removes a sign-in attempt.
    var clearingSignIn: String { cookie(Self.signIn, "", path: "/console/sign-in", age: 0, sameSite: "Lax") }

    /// The value of cookie `name` in a request's `Cookie` header.
    static func value(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for pair in header.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == name, !parts[1].isEmpty { return parts[1] }
        }
        return nil
    }

    /// Whether a request's `X-CSRF-Token` matches its `bifrost_csrf` cookie (compared in constant time).
    static func isCSRFValid(header: String?, cookies: String?) -> Bool {
        guard let header, let expected = value(csrf, in: cookies) else { return false }
        return ConstantTime.equals(Array(header.utf8), Array(expected.utf8))
    }

    private func cookie(
        _ name: String, _ value: String, path: String, age: Int64, httpOnly: Bool = true, sameSite: String = "Strict"
    ) -> String {
        "\(name)=\(value); Max-Age=\(age); Path=\(path)" + (httpOnly ? "; HttpOnly" : "") + "; SameSite=\(sameSite)"
            + (secure ? "; Secure" : "")
    }
}
