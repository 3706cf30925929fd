import Bifrost
import BifrostStore

/// `context.config` of one run: the organisation's value, else the global one, else the default; writes in the
/// run's scope (typed by the value). Reads go through the replica's cache of values as stored (a `secret` one
/// sealed, opened at each read: no value is kept in the clear). A `secret` value read is hidden from the run's
/// output like a secret.
struct RunConfig: ConfigStore {
    let store: any ConfigRepository
    let cache: ScopedCache<PostgresConfigRepository.StoredValue?>
    let scope: Scope
    let actor: String
    let redactor: SecretRedactor

    func get(_ key: String, default defaultValue: JSONValue?) async throws -> JSONValue? {
        switch try await cache.value(key, for: scope, load: { try await store.stored(key, for: scope) }) {
        case nil:
            return defaultValue
        case .plain(let value, _):
            return value
        case .sealed(let sealed):
            let text = try await store.open(sealed, key: key)
            redactor.hide(text)
            return .string(text)
        }
    }

    func set(_ key: String, _ value: JSONValue) async throws {
        guard PostgresConfigRepository.isValidKey(key) else {
            throw WorkflowError("\"\(key)\" is not a valid configuration key (letters, digits, '_', at most 100)")
        }
        let type: PostgresConfigRepository.ValueType =
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
