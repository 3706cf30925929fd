import BifrostAPI
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation

extension APIService {
    func listSecrets(_ input: Operations.ListSecrets.Input) async throws -> Operations.ListSecrets.Output {
        let caller = try RequestIdentity.required()
        return .ok(.init(body: .json(try await secrets.list(in: caller.scope).map(Components.Schemas.Secret.init))))
    }

    func putSecret(_ input: Operations.PutSecret.Input) async throws -> Operations.PutSecret.Output {
        let caller = try RequestIdentity.required()
        let name = input.path.name
        guard PostgresSecretRepository.isValidName(name) else {
            throw Problem.validation([
                .init(field: "name", message: "must be 1 to 100 letters, digits, '_', '.' or '-'")
            ])
        }
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let created = try await secrets.put(
            name, value: body.value, description: body.description, in: caller.scope, by: caller.principal.label
        )
        // This replica's next run reads the new value; other replicas forget theirs on the notification.
        workflows.engine.secretCache.invalidate(name)
        try await identity.audit.record(
            caller.auditEvent(created ? "secret.create" : "secret.update", targetKind: "secret", targetID: name))
        guard let stored = try await secrets.list(in: caller.scope).first(where: { $0.name == name }) else {
            throw Problem.notFound("The secret was deleted meanwhile.")
        }
        let secret = Components.Schemas.Secret(stored)
        return created ? .created(.init(body: .json(secret))) : .ok(.init(body: .json(secret)))
    }

    func deleteSecret(_ input: Operations.DeleteSecret.Input) async throws -> Operations.DeleteSecret.Output {
        let caller = try RequestIdentity.required()
        guard try await secrets.delete(input.path.name, in: caller.scope) else {
            throw Problem.notFound("No secret of this scope has this name.")
        }
        workflows.engine.secretCache.invalidate(input.path.name)
        try await identity.audit.record(
            caller.auditEvent("secret.delete", targetKind: "secret", targetID: input.path.name))
        return .noContent(.init())
    }
}

extension Components.Schemas.Secret {
    init(_ secret: SecretMetadata) {
        self.init(
            name: secret.name, description: secret.description, createdAt: secret.createdAt,
            createdBy: secret.createdBy,
            updatedAt: secret.updatedAt, updatedBy: secret.updatedBy
        )
    }
}
