import Foundation
import Yams

/// The request limits of `Policies/rate-limits.yaml`: per API key, per user and per organisation.
public struct RateLimits: Sendable, Equatable {
    var apiKey: TokenBucketLimiter.Limit
    var user: TokenBucketLimiter.Limit
    var organization: TokenBucketLimiter.Limit

    /// Limits too high to matter, for benchmarks and tests that are not about limits.
    public static let unlimited = RateLimits(
        apiKey: .init(perSecond: 1e9, burst: 1e9), user: .init(perSecond: 1e9, burst: 1e9),
        organization: .init(perSecond: 1e9, burst: 1e9)
    )

    init(apiKey: TokenBucketLimiter.Limit, user: TokenBucketLimiter.Limit, organization: TokenBucketLimiter.Limit) {
        self.apiKey = apiKey
        self.user = user
        self.organization = organization
    }

    /// Parses a rate-limits file. - Throws: `AccessPolicy.Invalid` naming the file and line of a bad entry.
    public init(file: String, text: String) throws {
        guard let root = try Yams.compose(yaml: text)?.mapping else {
            throw AccessPolicy.Invalid(file: file, line: 1, message: "expected api_key, user and organization limits")
        }
        func limit(_ name: String) throws -> TokenBucketLimiter.Limit {
            guard let node = root[name], let entry = node.mapping else {
                throw AccessPolicy.Invalid(file: file, line: 1, message: "missing `\(name)` with per_second and burst")
            }
            guard let rate = entry["per_second"]?.float, rate > 0, let burst = entry["burst"]?.float, burst >= 1 else {
                throw AccessPolicy.Invalid(
                    file: file, line: node.mark?.line ?? 1, message: "`\(name)` needs per_second > 0 and burst >= 1"
                )
            }
            return .init(perSecond: rate, burst: burst)
        }
        self.init(apiKey: try limit("api_key"), user: try limit("user"), organization: try limit("organization"))
    }

    /// The limits in `directory/rate-limits.yaml`, or the ones built into this binary when `directory` is nil.
    public static func load(directory: String?) throws -> RateLimits {
        guard let directory else {
            return try RateLimits(
                file: "Policies/rate-limits.yaml", text: String(decoding: PackageResources.rate_limits_yaml, as: UTF8.self)
            )
        }
        let path = directory + "/rate-limits.yaml"
        return try RateLimits(file: path, text: try String(contentsOfFile: path, encoding: .utf8))
    }
}
