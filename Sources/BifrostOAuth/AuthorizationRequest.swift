import BifrostCrypto
import Foundation

/// The address an admin's browser is sent to, to authorize a connection: the authorization-code request with its
/// `state` and, when the provider takes one, a PKCE S256 code challenge (RFC 7636).
public enum AuthorizationRequest {
    /// `BASE64URL(SHA256(verifier))`, without padding.
    public static func codeChallenge(for verifier: String) -> String {
        Base64.urlSafe(SHA256Digest.hash(Array(verifier.utf8)))
    }

    /// - Returns: nil when the connection has no authorize URL, or it does not parse.
    public static func url(
        _ endpoints: OAuthProviderCatalogue.Endpoints, clientID: String, redirectURI: String, state: String,
        verifier: String
    ) -> String? {
        guard let authorize = endpoints.authorizeURL, var components = URLComponents(string: authorize) else {
            return nil
        }
        var items = components.queryItems ?? []
        items += [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI), URLQueryItem(name: "state", value: state),
        ]
        if !endpoints.scopes.isEmpty {
            items.append(URLQueryItem(name: "scope", value: endpoints.scopes.joined(separator: " ")))
        }
        if endpoints.usesPKCE {
            items += [
                URLQueryItem(name: "code_challenge", value: codeChallenge(for: verifier)),
                URLQueryItem(name: "code_challenge_method", value: "S256"),
            ]
        }
        components.queryItems = items
        // `+` is a space to form decoders: encode it, as URLComponents leaves it.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string
    }

    /// The address a customer tenant's admin opens to grant a multi-tenant application its permissions (Microsoft's
    /// admin-consent page: `client_id`, `redirect_uri`, `state` and the connection's scopes, without
    /// `offline_access`, which is not a permission an admin grants). - Returns: nil when the provider has none.
    public static func adminConsentURL(
        _ endpoints: OAuthProviderCatalogue.Endpoints, clientID: String, redirectURI: String, state: String
    ) -> String? {
        guard let page = endpoints.adminConsentURL, var components = URLComponents(string: page) else { return nil }
        var items = components.queryItems ?? []
        items += [
            URLQueryItem(name: "client_id", value: clientID), URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "state", value: state),
        ]
        let scopes = endpoints.scopes.filter { !["offline_access", "openid", "profile", "email"].contains($0) }
        if !scopes.isEmpty { items.append(URLQueryItem(name: "scope", value: scopes.joined(separator: " "))) }
        components.queryItems = items
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string
    }
}
