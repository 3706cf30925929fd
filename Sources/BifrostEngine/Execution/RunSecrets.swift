public import Bifrost
import BifrostStore

/// `context.secrets` of one run: the organisation's secret, else the global one; writes in the run's scope.
/// Every value read or written is hidden from the run's logs, result and error (`SecretRedactor`).
struct RunSecrets: SecretStore {
    let store: PostgresSecrets
    let scope: Scope
    let actor: String
    let redactor: SecretRedactor

    func get(_ name: String) async throws -> String? {
        guard let value = try await store.value(name, for: scope) else { return nil }
        redactor.hide(value)
        return value
    }

    func set(_ name: String, _ value: String) async throws {
        guard PostgresSecrets.isValidName(name) else {
            throw WorkflowError("\"\(name)\" is not a valid secret name (letters, digits, '_', '.', '-', at most 100)")
        }
        redactor.hide(value)
        try await store.put(name, value: value, description: nil, in: scope, by: actor)
    }
}
