import BifrostAPI
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation
import Logging

extension APIService {
    func listOrganizations(_ input: Operations.ListOrganizations.Input) async throws
        -> Operations.ListOrganizations.Output
    {
        _ = try RequestIdentity.required()
        return .ok(
            .init(body: .json(try await identity.organizations.list().map(Components.Schemas.Organization.init))))
    }

    func createOrganization(_ input: Operations.CreateOrganization.Input) async throws
        -> Operations.CreateOrganization.Output
    {
        let caller = try RequestIdentity.required()
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let tenant = try body.entraTenantId.map { try Self.uuid($0, field: "entra_tenant_id") }
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw Problem.validation([.init(field: "name", message: "must not be blank")]) }
        let created = try await identity.organizations.create(name: name, domain: body.domain, entraTenantID: tenant)
        try await identity.audit.record(
            caller.auditEvent("organization.create", targetKind: "organization", targetID: created.id.uuidString))
        return .created(.init(body: .json(.init(created))))
    }

    func getOrganization(_ input: Operations.GetOrganization.Input) async throws -> Operations.GetOrganization.Output {
        _ = try RequestIdentity.required()
        let id = try Self.uuid(input.path.id, field: "id")
        guard let found = try await identity.organizations.find(id) else { throw StoreError.notFound }
        return .ok(.init(body: .json(.init(found))))
    }

    func updateOrganization(_ input: Operations.UpdateOrganization.Input) async throws
        -> Operations.UpdateOrganization.Output
    {
        let caller = try RequestIdentity.required()
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let id = try Self.uuid(input.path.id, field: "id")
        let changes = OrganizationChanges(
            name: body.name, domain: body.domain,
            entraTenantID: try body.entraTenantId.map { try Self.uuid($0, field: "entra_tenant_id") },
            isActive: body.isActive
        )
        let updated = try await identity.organizations.update(id, changes)
        if changes.isActive != nil { try await standingChanged(of: updated) }
        await identity.credentialsChanged()
        try await identity.audit.record(
            caller.auditEvent("organization.update", targetKind: "organization", targetID: id.uuidString))
        return .ok(.init(body: .json(.init(updated))))
    }

    /// What follows a deactivation (or reactivation) on every replica: the organisation's queued runs are
    /// cancelled (claims skip its jobs anyway: they read `is_active`), and every replica forgets the webhook
    /// secrets it cached, which verify nothing of a deactivated organisation. Its keys' and users' credentials
    /// go with the caller's `credentialsChanged`.
    private func standingChanged(of organization: Organization) async throws {
        if !organization.isActive {
            let cancelled = try await workflows.engine.queue.cancelPending(in: organization.id)
            logger.info(
                "Organisation deactivated; its queued runs are cancelled",
                metadata: [
                    "bifrost.org.id": "\(organization.id.lowercasedText)",
                    "bifrost.executions.cancelled": "\(cancelled)",
                ])
        }
        endpointSecrets.forgetAll()
        try await endpointSecrets.store.announceOrganizationChange()
    }

    func deleteOrganization(_ input: Operations.DeleteOrganization.Input) async throws
        -> Operations.DeleteOrganization.Output
    {
        let caller = try RequestIdentity.required()
        let id = try Self.uuid(input.path.id, field: "id")
        try await identity.organizations.delete(id, force: input.query.force ?? false)
        endpointSecrets.forgetAll()
        try await endpointSecrets.store.announceOrganizationChange()
        await identity.credentialsChanged()
        try await identity.audit.record(
            caller.auditEvent("organization.delete", targetKind: "organization", targetID: id.uuidString))
        return .noContent(.init())
    }

    /// Parses a UUID from a path, query or body field, or fails with 422 naming the field.
    static func uuid(_ text: String, field: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw Problem.validation([.init(field: field, message: "must be a UUID")])
        }
        return id
    }
}

extension Components.Schemas.Organization {
    init(_ organization: Organization) {
        self.init(
            id: organization.id.lowercasedText, name: organization.name, domain: organization.domain,
            entraTenantId: organization.entraTenantID?.lowercasedText, isActive: organization.isActive,
            createdAt: organization.createdAt
        )
    }
}
