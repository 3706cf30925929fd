import Bifrost
import BifrostAPI
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation

extension APIService {
    func listEndpointSecrets(_ input: Operations.ListEndpointSecrets.Input) async throws
        -> Operations.ListEndpointSecrets.Output
    {
        let (workflow, organization) = try await endpointInOrganization(input.path.workflowName)
        let listed = try await endpointSecrets.store.list(for: workflow, in: organization)
        return .ok(
            .init(body: .json(listed.map { .init(id: $0.id, createdAt: $0.createdAt, createdBy: $0.createdBy) })))
    }

    func createEndpointSecret(_ input: Operations.CreateEndpointSecret.Input) async throws
        -> Operations.CreateEndpointSecret.Output
    {
        let caller = try RequestIdentity.required()
        let (workflow, organization) = try await endpointInOrganization(input.path.workflowName)
        let (id, secret) = try await endpointSecrets.store.create(
            for: workflow, in: organization, by: caller.principal.label)
        endpointSecrets.forget(workflow)  // at once here; other replicas when the notification reaches them
        try await identity.audit.record(
            caller.auditEvent("endpoint_secret.create", targetKind: "endpoint_secret", targetID: id))
        return .created(
            .init(
                body: .json(
                    .init(
                        id: id, secret: StandardWebhookSignature.secretText(secret), createdAt: Date()
                    ))))
    }

    func retireEndpointSecret(_ input: Operations.RetireEndpointSecret.Input) async throws
        -> Operations.RetireEndpointSecret.Output
    {
        let caller = try RequestIdentity.required()
        let (workflow, organization) = try await endpointInOrganization(input.path.workflowName)
        guard try await endpointSecrets.store.retire(input.path.id, of: workflow, in: organization) else {
            throw Problem.notFound("This endpoint has no active secret with this id in the caller's organisation.")
        }
        endpointSecrets.forget(workflow)
        try await identity.audit.record(
            caller.auditEvent("endpoint_secret.retire", targetKind: "endpoint_secret", targetID: input.path.id)
        )
        return .noContent(.init())
    }

    /// The endpoint-enabled workflow `name` and the caller's organisation (secrets belong to one).
    private func endpointInOrganization(_ name: String) async throws -> (String, UUID) {
        let caller = try RequestIdentity.required()
        let narrowings = try await workflows.access.narrowings(for: caller.scope)
        guard let entry = workflows.engine.catalogue.workflows[name], entry.configuration.isEndpointEnabled,
            caller.mayRun(entry, narrowings: narrowings)
        else {
            throw Problem.notFound("No endpoint is named \(name).")
        }
        guard let organization = caller.scope.organizationID else {
            throw Problem.validation([
                .init(
                    field: "X-Organization-Id", message: "signing secrets belong to an organisation; act in one"
                )
            ])
        }
        return (name, organization)
    }
}
