import Foundation

/// The credential a long-lived connection (a Server-Sent Events stream, a WebSocket) was opened with, re-checked
/// for as long as the connection lasts, so that a revoked key, a logout, a password change or a deactivated user
/// or organisation ends it rather than leaving it open until it ends by itself.
package struct WatchedCredential: Sendable {
    package let principal: Principal
    package let check: CredentialCheck

    package init(principal: Principal, check: CredentialCheck) {
        self.principal = principal
        self.check = check
    }

    /// Returns once the credential no longer stands (checked at once, then after every credential change on any
    /// replica), or when the task is cancelled.
    package func revoked() async { await check.untilRevoked(principal) }

    /// Whether the credential stands now, read afresh. - Throws: when the database cannot tell.
    package func stands() async throws -> Bool { try await check.refusal(of: principal) == nil }
}
