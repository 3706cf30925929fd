import BifrostCrypto
import Foundation

/// The cookie that binds an authorization to the browser of whoever started it: `authorizeOAuthConnection` sets it,
/// and the callback completes only when the browser brings it back (or the signed-in caller is the starter), so a
/// crafted authorization link opened by someone else cannot land their tokens in the starter's connection.
///
/// One cookie per authorization (its name derives from the state), so that several started at once do not
/// overwrite each other: `HttpOnly`, `SameSite=Lax` (sent on the provider's top-level redirect back), `Secure`
/// when the callback address is https, limited to the callback's path, and as long-lived as the state.
struct OAuthStateCookie: Sendable {
    /// The callback address registered with providers (`oauth.redirectUri`): its scheme and path scope the cookie.
    let redirectURL: String

    /// The cookie's name for the authorization with `state`.
    static func name(for state: String) -> String {
        "bifrost_oauth_" + SHA256Digest.hex(state).prefix(16)
    }

    /// The `Set-Cookie` value that hands `binding` to the browser for `lifetime`.
    func setting(_ binding: String, for state: String, lifetime: Duration) -> String {
        "\(Self.name(for: state))=\(binding); Max-Age=\(lifetime.components.seconds)" + attributes
    }

    /// The `Set-Cookie` value that removes the cookie of `state`.
    func expiring(for state: String) -> String {
        "\(Self.name(for: state))=; Max-Age=0" + attributes
    }

    /// The value of the cookie of `state` in a request's `Cookie` header, if it carries one.
    static func binding(for state: String, in header: String?) -> String? {
        guard let header else { return nil }
        let name = self.name(for: state)
        for pair in header.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == name, !parts[1].isEmpty { return parts[1] }
        }
        return nil
    }

    private var attributes: String {
        let url = URL(string: redirectURL)
        let path = url?.path.isEmpty == false ? url?.path ?? "/" : "/"
        let secure = url?.scheme?.lowercased() == "https" ? "; Secure" : ""
        return "; Path=\(path); HttpOnly; SameSite=Lax" + secure
    }
}
