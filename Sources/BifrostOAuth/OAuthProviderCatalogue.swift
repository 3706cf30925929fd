public import BifrostStore
public import Foundation
import Yams

/// The OAuth providers connections may name, and the endpoints a connection resolves to.
public struct OAuthProviderCatalogue: Sendable {
    /// A catalogue file that cannot be used; says which entry and why.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// A connection's endpoints once its overrides and tenant are applied.
    public struct Endpoints: Sendable, Hashable {
        public var authorizeURL: String?
        public var tokenURL: String
        /// The provider's admin-consent page for the tenant, if it has one.
        public var adminConsentURL: String?
        public var scopes: [String]
        public var usesPKCE: Bool
        /// The provider's API addresses, where its tokens may be sent (never a connection's own setting).
        public var apiBaseURLs: [URL]
    }

    public let providers: [String: OAuthProvider]

    public init(providers: [OAuthProvider]) {
        self.providers = Dictionary(providers.map { ($0.name, $0) }) { first, _ in first }
    }

    /// The catalogue built into this binary (the repository's `Config/oauth-providers.yaml`), or the file at `path`.
    public static func load(path: String? = nil) throws -> OAuthProviderCatalogue {
        if let path {
            return try parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
        }
        return try parse(
            String(decoding: PackageResources.oauth_providers_yaml, as: UTF8.self), file: "Config/oauth-providers.yaml")
    }

    /// - Throws: `Invalid` naming the file and entry.
    public static func parse(_ text: String, file: String) throws -> OAuthProviderCatalogue {
        guard let entries = try Yams.load(yaml: text) as? [String: [String: Any]] else {
            throw Invalid(description: "\(file): expected a mapping of provider names to settings")
        }
        var providers: [OAuthProvider] = []
        for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let known: Set = [
                "authorize_url", "token_url", "default_tenant", "default_scopes", "pkce", "rotates_refresh_tokens",
                "api_base_urls", "admin_consent_url",
            ]
            if let unknown = entry.keys.first(where: { !known.contains($0) }) {
                throw Invalid(description: "\(file): provider \(name) has an unknown key \(unknown)")
            }
            for key in ["authorize_url", "token_url", "admin_consent_url"] {
                if let url = entry[key] as? String,
                    URL(string: url.replacingOccurrences(of: "{tenant}", with: "t"))?.scheme == nil
                {
                    throw Invalid(description: "\(file): provider \(name): \(key) is not a URL")
                }
            }
            var apiBaseURLs: [URL] = []
            if let listed = entry["api_base_urls"] {
                guard let texts = listed as? [Any] else {
                    throw Invalid(description: "\(file): provider \(name): api_base_urls is not a list of URLs")
                }
                for text in texts {
                    guard let url = URL(string: "\(text)"), ["https", "http"].contains(url.scheme?.lowercased() ?? ""),
                        url.host?.isEmpty == false, url.user == nil, url.password == nil, url.query == nil,
                        url.fragment == nil
                    else {
                        throw Invalid(
                            description: "\(file): provider \(name): api_base_urls: \(text) is not an http(s) address"
                        )
                    }
                    apiBaseURLs.append(url)
                }
            }
            providers.append(
                OAuthProvider(
                    name: name, authorizeURL: entry["authorize_url"] as? String,
                    tokenURL: entry["token_url"] as? String,
                    defaultTenant: entry["default_tenant"] as? String,
                    defaultScopes: (entry["default_scopes"] as? [Any])?.map { "\($0)" } ?? [],
                    supportsPKCE: entry["pkce"] as? Bool ?? true,
                    rotatesRefreshTokens: entry["rotates_refresh_tokens"] as? Bool ?? false, apiBaseURLs: apiBaseURLs,
                    adminConsentURL: entry["admin_consent_url"] as? String
                ))
        }
        return OAuthProviderCatalogue(providers: providers)
    }

    /// Why `settings` cannot make a connection (an unknown provider, a URL `generic` lacks), as the field at fault
    /// and a message; nil when they can. Where the URLs point is `ProviderURLPolicy`'s to judge.
    public func problem(with settings: OAuthConnectionSettings) -> (field: String, message: String)? {
        guard let provider = providers[settings.provider] else {
            return ("provider", "must be one of " + providers.keys.sorted().joined(separator: ", "))
        }
        if settings.tokenURL == nil, provider.tokenURL == nil {
            return ("token_url", "is required for provider \(provider.name)")
        }
        if settings.flow == .authorizationCode, settings.authorizeURL == nil, provider.authorizeURL == nil {
            return ("authorize_url", "is required for provider \(provider.name) with the authorization_code flow")
        }
        if settings.tenancy == .perOrganization,
            !(settings.tokenURL ?? provider.tokenURL ?? "").contains("{tenant}")
        {
            return (
                "tenancy", "per_organization needs a token URL with {tenant}, which each organisation's tenant fills"
            )
        }
        if let tenant = settings.tenant,
            tenant.isEmpty || !tenant.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." })
        {
            return ("tenant", "must be a tenant id or domain (letters, digits, '-', '.')")
        }
        return nil
    }

    /// `connection`'s endpoints: its own URLs, else its provider's, with `{tenant}` filled in: `tenant` when
    /// given (a customer tenant of a `per_organization` connection), else the connection's own.
    /// - Throws: `Invalid` when its provider is no longer in the catalogue or it has no token URL.
    public func endpoints(of connection: OAuthConnection, tenant: String? = nil) throws -> Endpoints {
        try endpoints(
            of: OAuthConnectionSettings(
                provider: connection.provider, flow: connection.flow, clientID: connection.clientID,
                scopes: connection.scopes, tenant: tenant ?? connection.tenant, authorizeURL: connection.authorizeURL,
                tokenURL: connection.tokenURL
            ),
            name: connection.name
        )
    }

    /// The endpoints a connection with `settings` would have. - Throws: `Invalid`, as `endpoints(of:)`.
    public func endpoints(of settings: OAuthConnectionSettings, name: String = "new") throws -> Endpoints {
        guard let provider = providers[settings.provider] else {
            throw Invalid(
                description: "connection \(name) names provider \(settings.provider), which is not configured")
        }
        let tenant = settings.tenant ?? provider.defaultTenant ?? "common"
        func filled(_ url: String?) -> String? { url?.replacingOccurrences(of: "{tenant}", with: tenant) }
        guard let tokenURL = filled(settings.tokenURL ?? provider.tokenURL) else {
            throw Invalid(description: "connection \(name) has no token URL")
        }
        return Endpoints(
            authorizeURL: filled(settings.authorizeURL ?? provider.authorizeURL), tokenURL: tokenURL,
            adminConsentURL: filled(provider.adminConsentURL),
            scopes: settings.scopes.isEmpty ? provider.defaultScopes : settings.scopes,
            usesPKCE: provider.supportsPKCE, apiBaseURLs: provider.apiBaseURLs
        )
    }
}
