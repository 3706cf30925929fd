public import BifrostEngine
public import BifrostOAuth
import BifrostStore
import Foundation

/// The broker serves runs' `context.oauth`.
extension OAuthBroker: ScopedOAuthTokens {}

extension OAuthBroker {
    /// Forgets a connection's cached token whenever any replica changes it, and every token when listening
    /// resumes after a gap.
    public var subscription: NotificationSubscription {
        NotificationSubscription(
            channel: PostgresOAuthConnections.channel,
            received: { [self] payload in
                if let id = UUID(uuidString: payload) { forget(id) } else { forgetAll() }
            },
            resumed: { [self] in forgetAll() }
        )
    }
}
