import Foundation

/// The credential a long-lived connection (a Server-Sent Events stream, a WebSocket) was opened with, re-checked
/// for as long as the connection lasts, so that a revoked key, a logout, a password change or a deactivated user
/// or organisation ends it rather than leaving it open until it ends by itself.
struct WatchedCredential: Sendable {
    let principal: Principal
    let check: CredentialCheck

    /// Returns once the credential no longer stands (checked at once, then after every credential change on any
    /// replica), or when the task is cancelled.
    func revoked() async { await check.untilRevoked(principal) }

    /// Whether the credential stands now, read afresh. - Throws: when the database cannot tell.
    func stands() async throws -> Bool { try await check.refusal(of: principal) == nil }
}
