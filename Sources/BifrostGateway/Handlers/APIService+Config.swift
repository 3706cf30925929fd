import Bifrost
import BifrostAPI
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation
import OpenAPIRuntime

extension APIService {
    func listConfig(_ input: Operations.ListConfig.Input) async throws -> Operations.ListConfig.Output {
        let caller = try RequestIdentity.required()
        return .ok(.init(body: .json(try await config.list(in: caller.scope).map(Components.Schemas.ConfigValue.init))))
    }

    func putConfig(_ input: Operations.PutConfig.Input) async throws -> Operations.PutConfig.Output {
        let caller = try RequestIdentity.required()
        let key = input.path.key
        guard PostgresConfigRepository.isValidKey(key) else {
            throw Problem.validation([.init(field: "key", message: "must be 1 to 100 letters, digits or '_'")])
        }
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let type = PostgresConfigRepository.ValueType(rawValue: body._type.rawValue) ?? .json
        let value = JSONBridge.jsonValue(body.value.value)
        guard type.admits(value) else {
            throw Problem.validation([.init(field: "value", message: "is not a \(type.rawValue)")])
        }
        try await config.put(
            key, value: value, type: type, description: body.description, in: caller.scope, by: caller.principal.label)
        // This replica's next run reads the new value; other replicas forget theirs on the notification.
        workflows.engine.configCache.invalidate(key)
        try await identity.audit.record(caller.auditEvent("config.set", targetKind: "config", targetID: key))
        guard let stored = try await config.list(in: caller.scope).first(where: { $0.key == key }) else {
            throw Problem.notFound("The value was deleted meanwhile.")
        }
        return .ok(.init(body: .json(try .init(stored))))
    }

    func deleteConfig(_ input: Operations.DeleteConfig.Input) async throws -> Operations.DeleteConfig.Output {
        let caller = try RequestIdentity.required()
        guard try await config.delete(input.path.key, in: caller.scope) else {
            throw Problem.notFound("No configuration value of this scope has this key.")
        }
        workflows.engine.configCache.invalidate(input.path.key)
        try await identity.audit.record(
            caller.auditEvent("config.delete", targetKind: "config", targetID: input.path.key))
        return .noContent(.init())
    }
}

extension Components.Schemas.ConfigValue {
    init(_ entry: ConfigEntry) throws {
        self.init(
            key: entry.key, _type: .init(rawValue: entry.type.rawValue) ?? .json,
            value: try JSONBridge.container(entry.type == .secret ? "[SECRET]" : entry.value ?? .null),
            description: entry.description, updatedAt: entry.updatedAt, updatedBy: entry.updatedBy
        )
    }
}
