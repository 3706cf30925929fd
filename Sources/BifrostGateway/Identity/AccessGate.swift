import BifrostRuntime
import BifrostStore
import HTTPTypes

/// The one authorisation call every route makes: the access policy decides whether the caller may call the
/// operation (default deny), and only then does the call take its caller's and organisation's rate-limit
/// tokens, so that a refused call spends none.
///
/// The generated operations reach it through `PolicyEnforcement`; the routes served beside them (execute,
/// endpoints, the WebSocket) call it themselves; an endpoint call is admitted as `executeWorkflow`.
struct AccessGate: Sendable {
    let policy: AccessPolicy
    let limits: RateLimits
    let limiter: TokenBucketLimiter

    /// Admits `identity` (nil when anonymous) to `operationID`.
    /// - Returns: the `RateLimit-*` headers for the response (none for anonymous calls).
    /// - Throws: `Problem` 401 without credentials, 403 when the role is not granted it, 429 when a bucket is empty.
    func admit(_ identity: RequestIdentity?, to operationID: String) throws -> HTTPFields {
        switch policy.decide(operationID: operationID, role: identity?.principal.role) {
        case .allow: break
        case .unauthenticated: throw Problem.unauthorized()
        case .forbidden: throw Problem.forbidden("This operation is not granted to the caller's role.")
        }
        guard let identity else { return [:] }
        return try limit(identity)
    }

    /// Takes a token from the key's or user's bucket and from the organisation's.
    /// - Returns: the `RateLimit-*` headers of the tighter bucket.
    /// - Throws: `Problem` 429 with `Retry-After` when either is empty.
    private func limit(_ identity: RequestIdentity) throws -> HTTPFields {
        let principal = identity.principal
        var tightest =
            principal.apiKey != nil
            ? limiter.take(.apiKey(principal.id), limit: limits.apiKey)
            : limiter.take(.user(principal.id), limit: limits.user)
        if let organization = identity.scope.organizationID {
            let shared = limiter.take(.organization(organization), limit: limits.organization)
            if (shared.allowed ? 1 : 0, shared.remaining) < (tightest.allowed ? 1 : 0, tightest.remaining) {
                tightest = shared
            }
        }
        let headers = Self.headers(tightest)
        guard tightest.allowed else {
            var problem = Problem.tooManyRequests(
                retryAfter: tightest.resetAfter, detail: "The request rate limit is exceeded.")
            problem.headers.append(contentsOf: headers)
            throw problem
        }
        return headers
    }

    /// Takes a token from the bucket of a client address, for calls without credentials (login, token refresh,
    /// webhooks, the OAuth callback).
    /// - Throws: `Problem` 429 with `Retry-After` when it is empty.
    func limitAnonymous(address: String?) throws {
        let outcome = limiter.take(.address(address ?? "unknown"), limit: limits.anonymous)
        guard outcome.allowed else {
            throw Problem.tooManyRequests(
                retryAfter: outcome.resetAfter, detail: "Too many requests without credentials from this address."
            )
        }
    }

    private static func headers(_ outcome: TokenBucketLimiter.Outcome) -> HTTPFields {
        var fields = HTTPFields()
        fields[.rateLimitLimit] = String(outcome.limit)
        fields[.rateLimitRemaining] = String(outcome.remaining)
        fields[.rateLimitReset] = String(outcome.resetAfter.wholeSecondsRoundedUp)
        return fields
    }
}

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
}
