import BifrostAPI
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation

extension APIService {
    func listAPIKeys(_ input: Operations.ListAPIKeys.Input) async throws -> Operations.ListAPIKeys.Output {
        let caller = try RequestIdentity.required()
        let keys = try await identity.keys.list(try caller.visibility(all: input.query.scope == .all))
        return .ok(.init(body: .json(keys.map(Components.Schemas.APIKey.init))))
    }

    func createAPIKey(_ input: Operations.CreateAPIKey.Input) async throws -> Operations.CreateAPIKey.Output {
        let caller = try RequestIdentity.required()
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let role = User.Role(rawValue: body.role.rawValue) ?? .orgMember
        // A global key acts as a platform admin; an organisation's key as one of its roles. Nobody hands out
        // more than they hold.
        switch (role, caller.scope) {
        case (.platformAdmin, .global) where caller.principal.isPlatformAdmin: break
        case (.platformAdmin, _), (_, .global):
            throw Problem.validation([
                .init(
                    field: "role",
                    message: "global keys have the platform_admin role; organisation keys org_admin or org_member")
            ])
        default: break
        }
        if let expiry = body.expiresAt, expiry <= Date() {
            throw Problem.validation([.init(field: "expires_at", message: "must be in the future")])
        }
        try checkDelegation(role: role, workflows: body.workflows, expiresAt: body.expiresAt, by: caller.principal)
        let workflowRoles = try body.workflowRoles.map { try WorkflowRoleList.parse($0, field: "workflow_roles") }
        let secret = APIKeySecret.generate()
        let key = try await identity.keys.create(
            NewAPIKey(
                scope: caller.scope, name: body.name, prefix: APIKeySecret.displayPrefix(of: secret),
                keyHash: APIKeySecret.hash(secret), role: role, workflows: body.workflows,
                createdBy: caller.principal.user?.id, expiresAt: body.expiresAt, workflowRoles: workflowRoles ?? []
            )
        )
        try await identity.audit.record(
            caller.auditEvent("api_key.create", targetKind: "api_key", targetID: key.id.uuidString))
        return .created(.init(body: .json(.init(apiKey: .init(key), key: secret))))
    }

    /// A principal hands out no more than it holds: a role no higher than its own, and when it is a key, no
    /// workflow it may not run itself and no later expiry. Every workflow named must exist.
    /// - Throws: `Problem.validation` naming the field that asks for more.
    private func checkDelegation(role: User.Role, workflows: [String]?, expiresAt: Date?, by principal: Principal)
        throws
    {
        var problems: [Problem.FieldError] = []
        if role.rank > principal.roleValue.rank {
            problems.append(
                .init(field: "role", message: "must not be higher than the caller's own role (\(principal.role))"))
        }
        let unknown = (workflows ?? []).filter { self.workflows.engine.catalogue.workflows[$0] == nil }
        if !unknown.isEmpty {
            problems.append(
                .init(field: "workflows", message: "names no workflow: " + unknown.sorted().joined(separator: ", ")))
        }
        if let key = principal.apiKey {
            if let own = key.workflows {
                if let asked = workflows, !Set(asked).isSubset(of: own) {
                    problems.append(.init(field: "workflows", message: "must be among the calling key's own workflows"))
                } else if workflows == nil {
                    problems.append(
                        .init(
                            field: "workflows", message: "is required: the calling key is restricted to some workflows")
                    )
                }
            }
            if let own = key.expiresAt, (expiresAt ?? .distantFuture) > own {
                problems.append(
                    .init(field: "expires_at", message: "must not be later than the calling key's own expiry"))
            }
        }
        guard problems.isEmpty else { throw Problem.validation(problems) }
    }

    func revokeAPIKey(_ input: Operations.RevokeAPIKey.Input) async throws -> Operations.RevokeAPIKey.Output {
        let caller = try RequestIdentity.required()
        let id = try Self.uuid(input.path.id, field: "id")
        try await identity.keys.revoke(id, in: caller.scope)
        await identity.credentialsChanged()
        try await identity.audit.record(
            caller.auditEvent("api_key.revoke", targetKind: "api_key", targetID: id.uuidString))
        return .noContent(.init())
    }

    func listAuditEvents(_ input: Operations.ListAuditEvents.Input) async throws -> Operations.ListAuditEvents.Output {
        let caller = try RequestIdentity.required()
        let events = try await identity.audit.list(
            try caller.visibility(all: input.query.scope == .all), limit: min(max(input.query.limit ?? 100, 1), 1000)
        )
        return .ok(.init(body: .json(events.map(Components.Schemas.AuditEntry.init))))
    }
}

extension Components.Schemas.APIKey {
    init(_ key: BifrostStore.APIKey) {
        self.init(
            id: key.id.lowercasedText, name: key.name, prefix: key.prefix, role: key.role.rawValue,
            organizationId: key.organizationID?.lowercasedText, workflows: key.workflows,
            workflowRoles: key.workflowRoles.sorted(), createdAt: key.createdAt, expiresAt: key.expiresAt,
            lastUsedAt: key.lastUsedAt
        )
    }
}

extension Components.Schemas.AuditEntry {
    init(_ recorded: RecordedAuditEvent) {
        let event = recorded.event
        self.init(
            id: recorded.id, occurredAt: recorded.occurredAt,
            organizationId: event.organizationID?.lowercasedText,
            actorKind: event.actorKind, actorId: event.actorID?.lowercasedText, actorLabel: event.actorLabel,
            action: event.action, targetKind: event.targetKind, targetId: event.targetID, outcome: event.outcome,
            requestId: event.requestID
        )
    }
}
