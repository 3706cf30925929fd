import Synchronization

/// What inner middleware learns about a request that outer middleware reports: the trace it belongs to and who
/// made it. A reference, because Hummingbird hands each middleware its own copy of the context.
///
/// `TracingMiddleware` sets the trace id; `AuthenticationMiddleware` the principal and organisation; the access log
/// and the request span read them once the response is ready.
final class RequestObservation: Sendable {
    struct Values: Sendable {
        /// The W3C trace id (32 hex digits), when tracing is on.
        var traceID: String?
        /// `user`, `api_key`, `oidc` or nil (anonymous).
        var principalKind: String?
        /// The user's or key's id, never a credential.
        var principalID: String?
        /// The organisation the request acts in; nil: global scope or none.
        var organizationID: String?
    }

    private let state = Mutex(Values())

    var values: Values { state.withLock { $0 } }

    func update(_ change: (inout Values) -> Void) {
        state.withLock { change(&$0) }
    }
}
