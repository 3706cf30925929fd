import Bifrost
import BifrostAPI
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation

extension APIService {
    func getWorkflowAccess(_ input: Operations.GetWorkflowAccess.Input) async throws
        -> Operations.GetWorkflowAccess.Output
    {
        let (_, entry, organization) = try workflowInOrganization(input.path.name)
        let narrowings = try await workflows.access.narrowings(for: .organization(organization))
        return .ok(.init(body: .json(.init(entry, in: organization, access: narrowings.access(to: entry)))))
    }

    func putWorkflowAccess(_ input: Operations.PutWorkflowAccess.Input) async throws
        -> Operations.PutWorkflowAccess.Output
    {
        let (caller, entry, organization) = try workflowInOrganization(input.path.name)
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let roles = try WorkflowRoleList.parse(body.roles, field: "roles")
        guard !roles.isEmpty else {
            throw Problem.validation([
                .init(field: "roles", message: "must name at least one role; DELETE removes the narrowing")
            ])
        }
        let access = WorkflowAccess(declared: entry.configuration.roles, narrowing: roles)
        let widening = access.widening(roles)
        guard widening.isEmpty else {
            let declared = access.declared.sorted().joined(separator: ", ")
            let added = widening.joined(separator: ", ")
            throw Problem.validation([
                .init(
                    field: "roles",
                    message:
                        "must be among the workflow's declared roles (\(declared)); a narrowing cannot add \(added)"
                )
            ])
        }
        let name = entry.configuration.name
        try await workflows.access.store.narrow(name, to: roles, in: organization, by: caller.principal.label)
        // The notification reaches this replica too, but perhaps after the caller's next request.
        workflows.access.forget(organization)
        try await identity.audit.record(
            caller.auditEvent("workflow.access_set", targetKind: "workflow", targetID: name))
        return .ok(.init(body: .json(.init(entry, in: organization, access: access))))
    }

    func deleteWorkflowAccess(_ input: Operations.DeleteWorkflowAccess.Input) async throws
        -> Operations.DeleteWorkflowAccess.Output
    {
        let (caller, entry, organization) = try workflowInOrganization(input.path.name)
        let name = entry.configuration.name
        guard try await workflows.access.store.clear(name, in: organization) else {
            throw Problem.notFound("This organisation has not narrowed who may run \(name).")
        }
        workflows.access.forget(organization)
        try await identity.audit.record(
            caller.auditEvent("workflow.access_cleared", targetKind: "workflow", targetID: name))
        return .noContent(.init())
    }

    /// The caller, workflow `name` and the caller's organisation: narrowings belong to one.
    /// - Throws: 404 for an unknown workflow, 422 (field `X-Organization-Id`) in global scope.
    private func workflowInOrganization(_ name: String) throws -> (RequestIdentity, WorkflowEntry, UUID) {
        let caller = try RequestIdentity.required()
        guard let entry = workflows.engine.catalogue.workflows[name] else {
            throw Problem.notFound("No workflow is named \(name).")
        }
        guard let organization = caller.scope.organizationID else {
            throw Problem.validation([
                .init(field: "X-Organization-Id", message: "workflow access is narrowed per organisation; act in one")
            ])
        }
        return (caller, entry, organization)
    }
}

extension Components.Schemas.WorkflowAccess {
    init(_ entry: WorkflowEntry, in organization: UUID, access: BifrostRuntime.WorkflowAccess) {
        self.init(
            workflow: entry.configuration.name, organizationId: organization.lowercasedText,
            declaredRoles: access.declared.sorted(), organizationRoles: access.narrowing?.sorted(),
            effectiveRoles: access.effective?.sorted() ?? [], limited: access.effective != nil
        )
    }
}
