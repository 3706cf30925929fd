public import BifrostOAuth
import Foundation

extension GatewayConfiguration {
    /// How the console signs people in through an OpenID Connect issuer (`oidc.<name>.signIn`): the authorization
    /// code flow with PKCE, in the browser, ending in a console session.
    public struct OIDCSignIn: Sendable, Hashable, CustomStringConvertible {
        /// Where the browser is sent to sign in (`oidc.<name>.authorizeUrl`).
        public var authorizeURL: String
        /// Where the gateway redeems the code (`oidc.<name>.tokenUrl`).
        public var tokenURL: String
        /// The application (client) id the gateway signs in as (`oidc.<name>.clientId`); the `aud` of its ID tokens.
        public var clientID: String
        /// The client secret of a confidential ("Web") application (`oidc.<name>.clientSecret`); never logged.
        public var clientSecret: String?
        /// The sign-in button's text (`oidc.<name>.label`).
        public var label: String

        /// The text of the button when `oidc.<name>.label` is unset.
        public static let defaultLabel = "Sign in with Microsoft"

        public init(
            authorizeURL: String, tokenURL: String, clientID: String, clientSecret: String? = nil,
            label: String = Self.defaultLabel
        ) {
            self.authorizeURL = authorizeURL
            self.tokenURL = tokenURL
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.label = label
        }

        /// Everything but the client secret, which is only said to be there.
        public var description: String {
            "OIDCSignIn(authorizeURL: \(authorizeURL), tokenURL: \(tokenURL), clientID: \(clientID), "
                + "clientSecret: \(clientSecret == nil ? "none" : "(hidden)"), label: \(label))"
        }
    }
}

extension GatewayConfiguration.OIDCSignIn {
    /// Reads the sign-in keys of one issuer (`values` scoped to `oidc.<name>`), or nil when `signIn` is not true.
    /// - Parameters:
    ///   - audience: the issuer's `audience`, the client id when `clientId` is unset.
    ///   - allowInsecureLoopback: `oauth.allowInsecureLoopback`: plain `http` to a loopback address is allowed
    ///     (development and tests), as for OAuth providers.
    /// - Throws: `ConfigurationError` naming a missing URL, or one that is not `https`.
    package init?(reading values: ConfigValues, audience: String, allowInsecureLoopback: Bool) throws {
        guard try values.boolean("signIn") == true else { return nil }
        func url(_ key: String) throws -> String {
            guard let text = try values.string(key) else {
                throw values.error(key, value: "", expected: "a URL: the console offers sign-in through this issuer")
            }
            guard Self.isAllowed(text, allowInsecureLoopback: allowInsecureLoopback) else {
                let loopback = allowInsecureLoopback ? " (or http to a loopback address)" : ""
                throw values.error(key, value: text, expected: "an https URL with a host\(loopback)")
            }
            return text
        }
        self.init(
            authorizeURL: try url("authorizeUrl"), tokenURL: try url("tokenUrl"),
            clientID: try values.string("clientId") ?? audience,
            clientSecret: try values.string("clientSecret", isSecret: true),
            label: try values.string("label") ?? Self.defaultLabel
        )
        guard label.count <= 80 else { throw values.error("label", value: label, expected: "at most 80 characters") }
    }

    /// Whether `text` is an https URL with a host and no user, or, with `allowInsecureLoopback`, an http URL to a
    /// loopback address (`ProviderURLPolicy` checks the token URL again before every request).
    static func isAllowed(_ text: String, allowInsecureLoopback: Bool) -> Bool {
        guard let url = URL(string: text), let host = url.host, !host.isEmpty, url.user == nil, url.password == nil,
            (1...65_535).contains(url.port ?? 443)
        else { return false }
        switch url.scheme?.lowercased() {
        case "https": return true
        case "http":
            let literal = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            return allowInsecureLoopback && (host == "localhost" || IPAddress(literal)?.range == .loopback)
        default: return false
        }
    }
}
