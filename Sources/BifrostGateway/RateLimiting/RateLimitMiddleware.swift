import BifrostStore
import HTTPTypes
import Hummingbird

/// Applies `RateLimits` to authenticated requests: one bucket for the key or user, one for the organisation
/// the request acts in. Answers 429 with `Retry-After` when either is empty; every limited response carries
/// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` of the tighter bucket.
struct RateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limits: RateLimits
    let limiter: TokenBucketLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let identity = RequestIdentity.current else { return try await next(request, context) }
        let principal = identity.principal
        var outcomes = [
            principal.apiKey != nil
                ? limiter.take("key:\(principal.id)", limit: limits.apiKey)
                : limiter.take("user:\(principal.id)", limit: limits.user)
        ]
        if let organization = identity.scope.organizationID {
            outcomes.append(limiter.take("org:\(organization)", limit: limits.organization))
        }
        let tightest = outcomes.min { ($0.allowed ? 1 : 0, $0.remaining) < ($1.allowed ? 1 : 0, $1.remaining) }!
        guard tightest.allowed else {
            var problem = Problem.tooManyRequests(retryAfter: tightest.resetAfter, detail: "The request rate limit is exceeded.")
            problem.headers.append(contentsOf: Self.headers(tightest))
            throw problem
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: Self.headers(tightest))
        return response
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
