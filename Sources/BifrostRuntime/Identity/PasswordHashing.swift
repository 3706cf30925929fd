package import BifrostCrypto
import Foundation
import NIOPosix

/// `PasswordHasher` run on threads of its own rather than on Swift's cooperative pool.
///
/// One PBKDF2 hash at the default 600,000 rounds takes a core for about a third of a second, and the threads of
/// the cooperative pool are few and shared by every request and queued run: measured on 2 cores, six logins at
/// once (hashes of 2,000,000–3,000,000 rounds) held `GET /health/live` until the first of them finished; run here,
/// the request is answered while all six hash (`PasswordHashingTests`). The threads are half the cores (at least
/// one), so a burst of logins queues for them instead of taking every core; they are not SwiftNIO's shared pool
/// for blocking work, which file I/O of AsyncHTTPClient and Hummingbird waits on.
package struct PasswordHashing: Sendable {
    package let hasher: PasswordHasher

    package init(iterations: Int) {
        hasher = PasswordHasher(iterations: iterations)
    }

    /// A new salted hash of `password` (see `PasswordHasher.hash`).
    package func hash(_ password: String) async throws -> String {
        try await Self.threads.runIfActive { [hasher] in hasher.hash(password) }
    }

    /// Whether `password` matches `stored` (see `PasswordHasher.verify`).
    package func verify(_ password: String, against stored: String) async throws -> Bool {
        try await Self.threads.runIfActive { [hasher] in hasher.verify(password, against: stored) }
    }

    /// Started on first use and kept for the life of the process, like SwiftNIO's own singletons.
    private static let threads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, ProcessInfo.processInfo.activeProcessorCount / 2))
        pool.start()
        return pool
    }()
}
