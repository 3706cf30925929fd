import Bifrost
package import BifrostEngine
package import BifrostStore
import Foundation

extension RequestIdentity {
    /// What a list may show: the caller's scope, or everything when a platform admin asks `scope=all`.
    package func visibility(all: Bool) throws -> Visibility {
        guard all else { return .only(scope) }
        guard principal.isPlatformAdmin else {
            throw AccessRefusal.forbidden("Only platform administrators can list across organisations.")
        }
        return .everything
    }

    /// The caller as the engine records it and hands it to the workflow.
    package var caller: Caller {
        let user = principal.user
        return Caller(
            organizationID: scope.organizationID, userID: user?.id,
            email: user?.email, name: user?.name ?? principal.apiKey?.name, isPlatformAdmin: principal.isPlatformAdmin,
            actor: ExecutionActor(userID: user?.id, apiKeyID: principal.apiKey?.id, label: principal.label)
        )
    }

    /// Which runs the caller sees: platform admins their scope (or all), organisation admins their
    /// organisation's, members (people and keys) only the runs they started; a key restricted to some
    /// workflows only runs of those.
    package func executionVisibility(all: Bool) throws -> ExecutionVisibility {
        let rows = try visibility(all: all)
        let workflows = principal.apiKey?.workflows
        switch principal.roleValue {
        case .platformAdmin, .orgAdmin: return ExecutionVisibility(rows, workflows: workflows)
        case .orgMember: return ExecutionVisibility(rows, startedBy: principal.id, workflows: workflows)
        }
    }

    /// Whether the caller may see and run `workflow` in its scope: a key restricted to some workflows only those,
    /// a workflow for administrators only administrators, and a role-limited workflow administrators and the
    /// members (people and keys) holding one of its roles in the organisation (`narrowings`, the scope's).
    package func mayRun(_ workflow: WorkflowEntry, narrowings: WorkflowNarrowings) -> Bool {
        guard isAllowedByRoleAndKey(workflow) else { return false }
        // Platform admins, and organisation admins in their organisation, manage the workflows: they run them all.
        guard principal.roleValue == .orgMember else { return true }
        return narrowings.access(to: workflow).admits(principal.workflowRoles)
    }

    /// Whether the caller may read data provider `name`: any caller whose role allows it, a key restricted to
    /// some workflows only the providers their parameters use. Workflow roles do not limit data providers.
    package func mayRead(dataProvider name: String, in catalogue: WorkflowCatalogue) -> Bool {
        guard let allowed = principal.apiKey?.workflows else { return true }
        return allowed.contains { workflow in
            catalogue.workflows[workflow].map {
                isAllowedByRoleAndKey($0) && $0.parameters.contains { $0.dataProvider == name }
            } ?? false
        }
    }

    /// The part of `mayRun` that ignores workflow roles: the policy role against `requiresAdmin`, and a key's
    /// list of workflows.
    private func isAllowedByRoleAndKey(_ workflow: WorkflowEntry) -> Bool {
        if workflow.configuration.requiresAdmin, principal.roleValue == .orgMember { return false }
        guard let allowed = principal.apiKey?.workflows else { return true }
        return allowed.contains(workflow.configuration.name)
    }
}
