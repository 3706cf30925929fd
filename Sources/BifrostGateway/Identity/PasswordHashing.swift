import BifrostCrypto
import NIOPosix

/// `PasswordHasher` run on SwiftNIO's thread pool for blocking work rather than on Swift's cooperative pool.
///
/// One PBKDF2 hash at the default 600,000 rounds takes a core for about a third of a second, and the threads of
/// the cooperative pool are few and shared by every request and queued run: measured on 2 cores, six logins at
/// once (hashes of 3,000,000 rounds) held `GET /health/live` until the first of them finished; run here, the
/// request is answered while all six hash (`PasswordHashingTests`).
struct PasswordHashing: Sendable {
    let hasher: PasswordHasher
    private let pool = NIOThreadPool.singleton

    init(iterations: Int) {
        hasher = PasswordHasher(iterations: iterations)
    }

    /// A new salted hash of `password` (see `PasswordHasher.hash`).
    func hash(_ password: String) async throws -> String {
        try await pool.runIfActive { [hasher] in hasher.hash(password) }
    }

    /// Whether `password` matches `stored` (see `PasswordHasher.verify`).
    func verify(_ password: String, against stored: String) async throws -> Bool {
        try await pool.runIfActive { [hasher] in hasher.verify(password, against: stored) }
    }
}
