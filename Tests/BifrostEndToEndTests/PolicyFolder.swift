import Foundation

/// A policies folder for `policies.directory`: the repository's roles and rate limits, with the per-address limit
/// of calls without credentials replaced.
struct PolicyFolder {
    let path: String

    /// The repository's policies with the per-address limit of calls without credentials replaced.
    init(anonymous: String) throws {
        var limits = try String(
            contentsOf: Self.repositoryPolicies.appendingPathComponent("rate-limits.yaml"), encoding: .utf8)
        limits = limits.components(separatedBy: "\nanonymous:").first ?? limits
        try self.init(rateLimits: limits + "\nanonymous: \(anonymous)\n")
    }

    /// The repository's roles with these rate limits.
    init(rateLimits: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bifrost-policies-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.repositoryPolicies.appendingPathComponent("roles.yaml"),
            to: folder.appendingPathComponent("roles.yaml")
        )
        try rateLimits.write(to: folder.appendingPathComponent("rate-limits.yaml"), atomically: true, encoding: .utf8)
        path = folder.path
    }

    /// Limits no test run reaches.
    static let generousLimits =
        ["api_key", "user", "organization", "anonymous"]
        .map { "\($0): {per_second: 1000000, burst: 1000000}" }.joined(separator: "\n") + "\n"

    private static var repositoryPolicies: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Policies")
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
