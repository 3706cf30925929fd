public import Foundation

/// The workflow roles an organisation's admins allow to run each workflow in their organisation (table
/// `workflow_access`): a narrowing of what the workflow declares, never a widening (the API checks that, since
/// only the catalogue knows the declared roles).
public protocol WorkflowAccessRepository: Sendable {
    /// Every narrowing of `organization`, by workflow name.
    func narrowings(in organization: UUID) async throws -> [String: Set<String>]
    /// Allows only `roles` (one or more) to run `workflow` in `organization`, replacing an earlier narrowing, and
    /// tells every replica.
    func narrow(_ workflow: String, to roles: Set<String>, in organization: UUID, by actor: String) async throws
    /// Removes `workflow`'s narrowing in `organization` and tells every replica.
    /// - Returns: whether there was one.
    func clear(_ workflow: String, in organization: UUID) async throws -> Bool
}
