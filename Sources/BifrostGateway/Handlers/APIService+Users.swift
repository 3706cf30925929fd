import BifrostAPI
import BifrostCrypto
import BifrostRuntime
import BifrostStore
import Foundation
import HTTPTypes

extension APIService {
    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let caller = try RequestIdentity.required()
        let users = try await identity.users.list(try caller.visibility(all: input.query.scope == .all))
        return .ok(.init(body: .json(users.map(Components.Schemas.UserAccount.init))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        let caller = try RequestIdentity.required()
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let role = User.Role(rawValue: body.role.rawValue) ?? .orgMember
        // Platform admins live in global scope, everyone else in the organisation the request acts in.
        switch (role, caller.scope) {
        case (.platformAdmin, .global) where caller.principal.isPlatformAdmin:
            break
        case (.platformAdmin, _):
            throw Problem.forbidden(
                "Only platform administrators, acting in global scope, create platform administrators.")
        case (_, .global):
            throw Problem.badRequest("Organisation users are created inside an organisation: send X-Organization-Id.")
        default:
            break
        }
        let email = body.email.trimmingCharacters(in: .whitespaces)
        guard email.contains("@") else {
            throw Problem.validation([.init(field: "email", message: "must be an email address")])
        }
        let workflowRoles = try body.workflowRoles.map { try WorkflowRoleList.parse($0, field: "workflow_roles") }
        let created = try await identity.users.create(
            NewUser(
                email: email, name: body.name ?? "", role: role, organizationID: caller.scope.organizationID,
                passwordHash: try await body.password.asyncMap { try await identity.passwords.hash($0) },
                workflowRoles: workflowRoles ?? []
            )
        )
        try await identity.audit.record(
            caller.auditEvent("user.create", targetKind: "user", targetID: created.id.uuidString))
        return .created(.init(body: .json(.init(created))))
    }

    func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        let caller = try RequestIdentity.required()
        let id = try Self.uuid(input.path.id, field: "id")
        guard let user = try await identity.users.get(id, in: caller.scope) else { throw StoreError.notFound }
        return .ok(.init(body: .json(.init(user))))
    }

    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        let caller = try RequestIdentity.required()
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let id = try Self.uuid(input.path.id, field: "id")
        if body.role != nil, caller.scope == .global {
            throw Problem.validation([.init(field: "role", message: "platform administrators keep their role")])
        }
        // As deleting oneself is refused, so is locking oneself out (the last admin could not undo it).
        if id == caller.principal.id,
            body.isActive == false || body.role.map({ $0.rawValue != caller.principal.role }) == true
        {
            throw Problem.conflict("Callers cannot deactivate themselves or change their own role.")
        }
        let changes = UserChanges(
            name: body.name, role: body.role.flatMap { User.Role(rawValue: $0.rawValue) },
            passwordHash: try await body.password.asyncMap { try await identity.passwords.hash($0) },
            isActive: body.isActive,
            workflowRoles: try body.workflowRoles.map { try WorkflowRoleList.parse($0, field: "workflow_roles") }
        )
        let updated = try await identity.users.update(id, in: caller.scope, changes)
        await identity.credentialsChanged()
        try await identity.audit.record(caller.auditEvent("user.update", targetKind: "user", targetID: id.uuidString))
        return .ok(.init(body: .json(.init(updated))))
    }

    func deleteUser(_ input: Operations.DeleteUser.Input) async throws -> Operations.DeleteUser.Output {
        let caller = try RequestIdentity.required()
        let id = try Self.uuid(input.path.id, field: "id")
        guard id != caller.principal.id else {
            throw Problem.conflict("Callers cannot delete themselves.")
        }
        try await identity.users.delete(id, in: caller.scope)
        await identity.credentialsChanged()
        try await identity.audit.record(caller.auditEvent("user.delete", targetKind: "user", targetID: id.uuidString))
        return .noContent(.init())
    }
}

extension Components.Schemas.UserAccount {
    init(_ user: User) {
        self.init(
            id: user.id.lowercasedText, email: user.email, name: user.name,
            organizationId: user.organizationID?.lowercasedText,
            role: .init(rawValue: user.role.rawValue) ?? .orgMember, isPlatformAdmin: user.isPlatformAdmin,
            isActive: user.isActive, workflowRoles: user.workflowRoles.sorted(), createdAt: user.createdAt
        )
    }
}
