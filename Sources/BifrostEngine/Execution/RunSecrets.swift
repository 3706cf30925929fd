import Bifrost
import BifrostStore

/// `context.secrets` of one run: the organisation's secret, else the global one; writes in the run's scope.
/// Reads go through the replica's cache of sealed secrets (no value is kept in the clear). Every value read or
/// written is hidden from the run's logs, result and error (`SecretRedactor`).
struct RunSecrets: SecretStore {
    let store: any SecretRepository
    let cache: ScopedCache<SealedValue?>
    let scope: Scope
    let actor: String
    let redactor: SecretRedactor

    func get(_ name: String) async throws -> String? {
        guard let sealed = try await cache.value(name, for: scope, load: { try await store.sealed(name, for: scope) })
        else { return nil }
        let value = try await store.open(sealed, name: name)
        redactor.hide(value)
        return value
    }

    func set(_ name: String, _ value: String) async throws {
        guard PostgresSecretRepository.isValidName(name) else {
            throw WorkflowError("\"\(name)\" is not a valid secret name (letters, digits, '_', '.', '-', at most 100)")
        }
        redactor.hide(value)
        try await store.put(name, value: value, description: nil, in: scope, by: actor)
        cache.invalidate(name)
    }
}
