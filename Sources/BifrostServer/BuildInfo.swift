/// What `bifrost --version` prints.
enum BuildInfo {
    /// This release of Bifrost.
    static let version = "0.21.0"

    /// `0.21.0 (commit 7f349a3c…)`.
    static var versionLine: String { "\(version) (commit \(BuildCommit.hash))" }
}
