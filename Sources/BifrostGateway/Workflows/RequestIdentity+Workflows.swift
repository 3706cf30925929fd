import BifrostEngine
import BifrostStore
import Foundation

extension RequestIdentity {
    /// The caller as the engine records it and hands it to the workflow.
    var caller: Caller {
        let user = principal.user
        return Caller(
            organizationID: scope.organizationID, userID: user?.id,
            email: user?.email, name: user?.name ?? principal.apiKey?.name, isPlatformAdmin: principal.isPlatformAdmin,
            actor: ExecutionActor(userID: user?.id, apiKeyID: principal.apiKey?.id, label: principal.label)
        )
    }

    /// Which runs the caller sees: platform admins their scope (or all), organisation admins their
    /// organisation's, members (people and keys) only the runs they started.
    func executionVisibility(all: Bool) throws -> ExecutionVisibility {
        let rows = try visibility(all: all)
        switch principal.roleValue {
        case .platformAdmin, .orgAdmin: return ExecutionVisibility(rows)
        case .orgMember: return ExecutionVisibility(rows, startedBy: principal.id)
        }
    }

    /// Whether an API key restricted to some workflows may run `workflow`.
    func mayRun(_ workflow: String) -> Bool {
        guard let allowed = principal.apiKey?.workflows else { return true }
        return allowed.contains(workflow)
    }
}
