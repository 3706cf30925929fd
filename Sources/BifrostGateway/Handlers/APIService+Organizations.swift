import BifrostAPI
import BifrostStore
import Foundation

extension APIService {
    func listOrganizations(_ input: Operations.ListOrganizations.Input) async throws -> Operations.ListOrganizations.Output {
        _ = try RequestIdentity.required()
        return .ok(.init(body: .json(try await identity.organizations.list().map(Components.Schemas.Organization.init))))
    }

    func createOrganization(_ input: Operations.CreateOrganization.Input) async throws -> Operations.CreateOrganization.Output {
        let caller = try RequestIdentity.required()
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let tenant = try body.entraTenantId.map { try Self.uuid($0, field: "entra_tenant_id") }
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw Problem.validation([.init(field: "name", message: "must not be blank")]) }
        let created = try await identity.organizations.create(name: name, domain: body.domain, entraTenantID: tenant)
        try await identity.audit.record(caller.auditEvent("organization.create", targetKind: "organization", targetID: created.id.uuidString))
        return .created(.init(body: .json(.init(created))))
    }

    func getOrganization(_ input: Operations.GetOrganization.Input) async throws -> Operations.GetOrganization.Output {
        _ = try RequestIdentity.required()
        let id = try Self.uuid(input.path.id, field: "id")
        guard let found = try await identity.organizations.find(id) else { throw StoreError.notFound }
        return .ok(.init(body: .json(.init(found))))
    }

    func updateOrganization(_ input: Operations.UpdateOrganization.Input) async throws -> Operations.UpdateOrganization.Output {
        let caller = try RequestIdentity.required()
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let id = try Self.uuid(input.path.id, field: "id")
        let changes = OrganizationChanges(
            name: body.name, domain: body.domain,
            entraTenantID: try body.entraTenantId.map { try Self.uuid($0, field: "entra_tenant_id") },
            isActive: body.isActive
        )
        let updated = try await identity.organizations.update(id, changes)
        await identity.credentialsChanged()
        try await identity.audit.record(caller.auditEvent("organization.update", targetKind: "organization", targetID: id.uuidString))
        return .ok(.init(body: .json(.init(updated))))
    }

    func deleteOrganization(_ input: Operations.DeleteOrganization.Input) async throws -> Operations.DeleteOrganization.Output {
        let caller = try RequestIdentity.required()
        let id = try Self.uuid(input.path.id, field: "id")
        try await identity.organizations.delete(id, force: input.query.force ?? false)
        await identity.credentialsChanged()
        try await identity.audit.record(caller.auditEvent("organization.delete", targetKind: "organization", targetID: id.uuidString))
        return .noContent(.init())
    }

    /// Parses a UUID from a path, query or body field, or fails with 422 naming the field.
    static func uuid(_ text: String, field: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw Problem.validation([.init(field: field, message: "must be a UUID")]) }
        return id
    }
}

extension Components.Schemas.Organization {
    init(_ organization: Organization) {
        self.init(
            id: organization.id.uuidString.lowercased(), name: organization.name, domain: organization.domain,
            entraTenantId: organization.entraTenantID?.uuidString.lowercased(), isActive: organization.isActive,
            createdAt: organization.createdAt
        )
    }
}
