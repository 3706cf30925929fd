import Bifrost
import BifrostStore

/// `context.config` of one run: the organisation's value, else the global one, else the default; writes in the
/// run's scope (typed by the value). Reads go through the replica's `ConfigCache`. A `secret` value read is hidden
/// from the run's output like a secret.
struct RunConfig: ConfigStore {
    let store: PostgresConfig
    let cache: ScopedCache<(value: JSONValue, type: PostgresConfig.ValueType)?>
    let scope: Scope
    let actor: String
    let redactor: SecretRedactor

    func get(_ key: String, default defaultValue: JSONValue?) async throws -> JSONValue? {
        guard let (value, type) = try await cache.value(key, for: scope, load: { try await store.value(key, for: scope) })
        else { return defaultValue }
        if type == .secret, let text = value.stringValue { redactor.hide(text) }
        return value
    }

    func set(_ key: String, _ value: JSONValue) async throws {
        guard PostgresConfig.isValidKey(key) else {
            throw WorkflowError("\"\(key)\" is not a valid configuration key (letters, digits, '_', at most 100)")
        }
        let type: PostgresConfig.ValueType =
            switch value {
            case .string: .string
            case .int: .int
            case .bool: .bool
            default: .json
            }
        try await store.put(key, value: value, type: type, description: nil, in: scope, by: actor)
        cache.invalidate(key)
    }
}
