/// Secrets as runs read and write them: sealed values, opened only when asked.
/// `PostgresSecretRepository` is the implementation; the engine depends only on this.
public protocol SecretRepository: Sendable {
    /// The sealed value of `name` for `scope` (the organisation's, else the global one).
    func sealed(_ name: String, for scope: Scope) async throws -> SealedValue?
    /// The plaintext of a sealed value.
    func open(_ sealed: SealedValue, name: String) async throws -> String
    /// Creates or replaces a secret. - Returns: whether it was created.
    @discardableResult
    func put(_ name: String, value: String, description: String?, in scope: Scope, by actor: String) async throws
        -> Bool
}

extension PostgresSecretRepository: SecretRepository {}
