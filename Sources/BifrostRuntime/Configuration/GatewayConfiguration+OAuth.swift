public import BifrostOAuth
import Foundation

extension GatewayConfiguration {
    /// OAuth connections: where providers are described, where they send browsers back, when tokens refresh.
    public struct OAuth: Sendable {
        /// A provider catalogue to use instead of the built-in `Config/oauth-providers.yaml`.
        public var providersFile: String?
        /// The callback address registered with providers; `http://{http.host}:{http.port}/api/oauth/callback`
        /// when unset.
        public var redirectURL: String?
        /// A token this close to expiry is refreshed before a run gets it.
        public var refreshMargin: Duration = .seconds(300)
        /// Token and authorize URLs may point to this machine (loopback addresses), over plain `http` too: for
        /// development and tests, where the provider runs locally. Off by default.
        public var allowInsecureLoopback = false
        /// Token and authorize URLs may point to private networks (RFC 1918, unique-local, link-local,
        /// carrier-grade NAT), over `https`: for an identity provider inside the operator's network. It applies to
        /// every connection, organisations' included. Off by default; cloud metadata addresses are refused anyway.
        public var allowPrivateNetworks = false
    }
}

extension GatewayConfiguration.OAuth {
    /// Reads the `oauth.` keys (`values` scoped to `oauth`).
    package init(reading values: ConfigValues) throws {
        providersFile = try values.string("providersFile")
        if let url = try values.string("redirectUri") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil
            else {
                throw values.error("redirectUri", value: url, expected: "an http or https URL")
            }
            redirectURL = url
        }
        if let seconds = try values.integer("refreshMargin", in: 0...86_400) {
            refreshMargin = .seconds(seconds)
        }
        allowInsecureLoopback = try values.boolean("allowInsecureLoopback") ?? allowInsecureLoopback
        allowPrivateNetworks = try values.boolean("allowPrivateNetworks") ?? allowPrivateNetworks
    }
}

extension GatewayConfiguration.OAuth {
    /// The broker's settings these keys give: the refresh margin and where provider URLs may point.
    public var brokerSettings: OAuthBroker.Settings {
        var settings = OAuthBroker.Settings()
        settings.refreshMargin = refreshMargin
        settings.urlPolicy = ProviderURLPolicy(
            allowInsecureLoopback: allowInsecureLoopback, allowPrivateNetworks: allowPrivateNetworks)
        return settings
    }
}
