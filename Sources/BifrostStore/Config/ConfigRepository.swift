public import Bifrost

/// Configuration values as runs read and write them. `PostgresConfigRepository` is the implementation; the engine
/// depends only on this.
public protocol ConfigRepository: Sendable {
    /// The value of `key` for `scope` (the organisation's, else the global one), a secret one still sealed.
    func stored(_ key: String, for scope: Scope) async throws -> PostgresConfigRepository.StoredValue?
    /// The plaintext of a sealed (secret) value.
    func open(_ sealed: SealedValue, key: String) async throws -> String
    /// Creates or replaces a value.
    func put(
        _ key: String, value: JSONValue, type: PostgresConfigRepository.ValueType, description: String?,
        in scope: Scope, by actor: String
    ) async throws
}

extension PostgresConfigRepository: ConfigRepository {}
