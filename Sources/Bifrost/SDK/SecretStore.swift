/// Encrypted secrets (`secrets.get` / `secrets.set`).
public protocol SecretStore: Sendable {
    /// The organisation's secret, else the global one, else nil.
    func get(_ name: String) async throws -> String?
    /// Writes a secret in the run's scope.
    func set(_ name: String, _ value: String) async throws
}
