public import BifrostOAuth
public import BifrostStore
public import Logging
public import Metrics
public import PostgresNIO

extension OAuthBroker {
    /// A broker over the OAuth connections (sealed with `keys`) and the audit log of `database`: what a gateway
    /// and `bifrost workflows run` hand their engine.
    /// - Parameter metrics: where token requests and cached tokens are counted; the default, nowhere.
    public static func onDatabase(
        _ database: PostgresClient, keys: KeyRing, catalogue: OAuthProviderCatalogue, settings: Settings,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) -> OAuthBroker {
        OAuthBroker(
            connections: PostgresOAuthConnectionRepository(client: database, keys: keys, logger: logger),
            catalogue: catalogue, audit: PostgresAuditLog(client: database, logger: logger), settings: settings,
            metrics: metrics, logger: logger
        )
    }
}
