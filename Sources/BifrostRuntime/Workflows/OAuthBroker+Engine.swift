public import BifrostEngine
public import BifrostOAuth
import BifrostStore
import Foundation

/// The broker serves runs' `context.oauth`.
extension OAuthBroker: ScopedOAuthTokens {}

extension OAuthBroker {
    /// Forgets the cached tokens a change announced by any replica makes stale (new tokens, a connection created,
    /// changed or deleted, an organisation deactivated), everything for a payload it cannot read, and every token
    /// when listening resumes after a gap.
    public var subscription: NotificationSubscription {
        NotificationSubscription(
            channel: PostgresOAuthConnectionRepository.channel,
            received: { [self] payload in
                if let change = OAuthChange(payload: payload) { forget(change) } else { forgetAll() }
            },
            resumed: { [self] in forgetAll() }
        )
    }
}
