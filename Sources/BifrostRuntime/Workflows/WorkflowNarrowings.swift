import Bifrost
package import BifrostEngine

/// The narrowings one organisation's admins have set, by workflow name; none in global scope.
package struct WorkflowNarrowings: Sendable, Hashable {
    package var roles: [String: Set<String>]

    package init(roles: [String: Set<String>]) { self.roles = roles }

    /// No narrowing at all: global scope, where only administrators act.
    package static let none = WorkflowNarrowings(roles: [:])

    /// Who may run `workflow` in the organisation.
    package func access(to workflow: WorkflowEntry) -> WorkflowAccess {
        WorkflowAccess(declared: workflow.configuration.roles, narrowing: roles[workflow.configuration.name])
    }
}
