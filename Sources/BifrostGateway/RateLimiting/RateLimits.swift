import Foundation
import Yams

/// The request limits of `Policies/rate-limits.yaml`: per API key, per user and per organisation, and per client
/// address for calls without credentials.
public struct RateLimits: Sendable, Equatable {
    var apiKey: TokenBucketLimiter.Limit
    var user: TokenBucketLimiter.Limit
    var organization: TokenBucketLimiter.Limit
    var anonymous: TokenBucketLimiter.Limit

    /// The per-address limit of calls without credentials when a file does not set `anonymous`.
    static let defaultAnonymous = TokenBucketLimiter.Limit(perSecond: 20, burst: 60)

    /// Limits too high to matter, for benchmarks and tests that are not about limits.
    public static let unlimited = RateLimits(
        apiKey: .init(perSecond: 1e9, burst: 1e9), user: .init(perSecond: 1e9, burst: 1e9),
        organization: .init(perSecond: 1e9, burst: 1e9), anonymous: .init(perSecond: 1e9, burst: 1e9)
    )

    init(
        apiKey: TokenBucketLimiter.Limit, user: TokenBucketLimiter.Limit, organization: TokenBucketLimiter.Limit,
        anonymous: TokenBucketLimiter.Limit = Self.defaultAnonymous
    ) {
        self.apiKey = apiKey
        self.user = user
        self.organization = organization
        self.anonymous = anonymous
    }

    /// Parses a rate-limits file. - Throws: `AccessPolicy.Invalid` naming the file and line of a bad entry.
    public init(file: String, text: String) throws {
        guard let root = try Yams.compose(yaml: text)?.mapping else {
            throw AccessPolicy.Invalid(file: file, line: 1, message: "expected api_key, user and organization limits")
        }
        func limit(_ name: String, default fallback: TokenBucketLimiter.Limit? = nil) throws -> TokenBucketLimiter.Limit
        {
            guard let node = root[name] else {
                if let fallback { return fallback }
                throw AccessPolicy.Invalid(file: file, line: 1, message: "missing `\(name)` with per_second and burst")
            }
            guard let entry = node.mapping, let rate = entry["per_second"]?.float, (1e-6...1e9).contains(rate),
                let burst = entry["burst"]?.float, (1...1e9).contains(burst)
            else {
                throw AccessPolicy.Invalid(
                    file: file, line: node.mark?.line ?? 1,
                    message: "`\(name)` needs per_second from 0.000001 to 1e9 and burst from 1 to 1e9"
                )
            }
            return .init(perSecond: rate, burst: burst)
        }
        self.init(
            apiKey: try limit("api_key"), user: try limit("user"), organization: try limit("organization"),
            anonymous: try limit("anonymous", default: Self.defaultAnonymous)
        )
    }

    /// The limits in `directory/rate-limits.yaml`, or the ones built into this binary when `directory` is nil.
    public static func load(directory: String?) throws -> RateLimits {
        guard let directory else {
            return try RateLimits(
                file: "Policies/rate-limits.yaml",
                text: String(decoding: PackageResources.rate_limits_yaml, as: UTF8.self)
            )
        }
        let path = directory + "/rate-limits.yaml"
        return try RateLimits(file: path, text: try String(contentsOfFile: path, encoding: .utf8))
    }
}
