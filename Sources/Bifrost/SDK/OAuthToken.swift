public import Foundation

/// An OAuth access token handed to a workflow by `context.oauth.getToken`, usable only at the API addresses its
/// provider declares in the operator's provider catalogue.
///
/// The access token itself is not readable: a workflow asks for the `Authorization` header for a URL, and gets it
/// only when the URL's scheme, host and port are those of one of `apiBaseURLs`. Whatever an organisation's
/// configuration or a run's input says, the token goes to its provider's APIs and nowhere else.
///
/// ```swift
/// guard let token = try await context.oauth.getToken("microsoft"), let graph = token.apiBaseURL else { … }
/// let url = graph.appending(path: "v1.0/users")
/// request.headers.add(name: "Authorization", value: try token.authorizationHeader(for: url))
/// ```
public struct OAuthToken: Sendable, Hashable {
    /// The token. Only the gateway reads it; workflows get it inside `authorizationHeader(for:)`.
    package let accessToken: String
    /// The token type the provider named (`Bearer`).
    public let tokenType: String
    /// When the token expires, if the provider said.
    public let expiresAt: Date?
    /// The scopes the provider granted.
    public let scopes: [String]
    /// The provider's API addresses, from the operator's catalogue: the only origins the token is sent to. Empty
    /// when the catalogue declares none (such a token can be used nowhere).
    public let apiBaseURLs: [URL]

    /// A token usable at `apiBaseURLs`. The gateway makes them; a workflow's own tests may too.
    public init(accessToken: String, tokenType: String, expiresAt: Date?, scopes: [String], apiBaseURLs: [URL]) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresAt = expiresAt
        self.scopes = scopes
        self.apiBaseURLs = apiBaseURLs
    }

    /// The provider's first declared API address (`https://graph.microsoft.com` for `microsoft`), to build request
    /// URLs on; nil when it declares none.
    public var apiBaseURL: URL? { apiBaseURLs.first }

    /// Whether `url` has the scheme, host and port of one of `apiBaseURLs` (a missing port is the scheme's
    /// default) and no user name or password.
    public func isAPIAddress(_ url: URL) -> Bool {
        guard url.user == nil, url.password == nil, let origin = Origin(url) else { return false }
        return apiBaseURLs.contains { Origin($0) == origin }
    }

    /// The `Authorization` header value (`Bearer <token>`) for a request to `url`.
    /// - Throws: `WorkflowError` when `url` is not at one of `apiBaseURLs` (`isAPIAddress`): the token is not
    ///   handed out for it.
    public func authorizationHeader(for url: URL) throws -> String {
        guard isAPIAddress(url) else {
            let allowed = apiBaseURLs.compactMap { Origin($0)?.description }
            throw WorkflowError(
                "This OAuth token may only be sent to its provider's API ("
                    + (allowed.isEmpty ? "its provider declares none" : allowed.joined(separator: ", "))
                    + "), not to \(Origin(url)?.description ?? "an address without a scheme and host")"
            )
        }
        return "\(tokenType) \(accessToken)"
    }
}

extension OAuthToken: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The token's type, expiry and API addresses; never the token.
    public var description: String {
        "OAuthToken(\(tokenType), expires \(expiresAt.map { "\($0)" } ?? "unknown"), for "
            + apiBaseURLs.map(\.absoluteString).joined(separator: ", ") + ")"
    }

    /// As `description`.
    public var debugDescription: String { description }

    /// What `dump` and debuggers show: everything but the token.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "tokenType": tokenType, "expiresAt": expiresAt as Any, "scopes": scopes, "apiBaseURLs": apiBaseURLs,
            ],
            displayStyle: .struct
        )
    }
}

/// Scheme, host and port of a URL, compared case-insensitively, with the scheme's default port filled in.
private struct Origin: Hashable, CustomStringConvertible {
    var scheme: String
    var host: String
    var port: Int

    init?(_ url: URL) {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty else {
            return nil
        }
        let defaultPort: Int? =
            switch scheme {
            case "https": 443
            case "http": 80
            default: nil
            }
        guard let port = url.port ?? defaultPort else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    var description: String {
        let isDefault = (scheme == "https" && port == 443) || (scheme == "http" && port == 80)
        return "\(scheme)://\(host)" + (isDefault ? "" : ":\(port)")
    }
}
