public import BifrostOAuth
public import BifrostStore
public import Logging
public import PostgresNIO

extension OAuthBroker {
    /// A broker over the OAuth connections (sealed with `keys`) and the audit log of `database`: what a gateway
    /// and `bifrost workflows run` hand their engine.
    public static func onDatabase(
        _ database: PostgresClient, keys: KeyRing, catalogue: OAuthProviderCatalogue, settings: Settings,
        logger: Logger
    ) -> OAuthBroker {
        OAuthBroker(
            connections: PostgresOAuthConnectionRepository(client: database, keys: keys, logger: logger),
            catalogue: catalogue, audit: PostgresAuditLog(client: database, logger: logger), settings: settings,
            logger: logger
        )
    }
}
