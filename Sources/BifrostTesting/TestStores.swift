public import Bifrost
import BifrostEngine
import BifrostStore
import Synchronization

/// Configuration in memory: set values before a run (`tester.config["api_url"] = "https://…"`), read what a run
/// wrote after it.
public final class TestConfiguration: ConfigStore, Sendable {
    private let values = Mutex<[String: JSONValue]>([:])

    public init() {}

    /// The value under `key`; setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get { values.withLock { $0[key] } }
        set { values.withLock { $0[key] = newValue } }
    }

    public func get(_ key: String, default defaultValue: JSONValue?) async throws -> JSONValue? {
        self[key] ?? defaultValue
    }

    public func set(_ key: String, _ value: JSONValue) async throws {
        self[key] = value
    }
}

/// Secrets in memory. A value a run reads or writes is hidden from its logs, result and error, as in the gateway.
public final class TestSecrets: SecretStore, Sendable {
    private let values = Mutex<[String: String]>([:])

    public init() {}

    /// The secret called `name`; setting nil removes it.
    public subscript(name: String) -> String? {
        get { values.withLock { $0[name] } }
        set { values.withLock { $0[name] = newValue } }
    }

    public func get(_ name: String) async throws -> String? { self[name] }

    public func set(_ name: String, _ value: String) async throws {
        guard PostgresSecretRepository.isValidName(name) else {
            throw WorkflowError("\"\(name)\" is not a valid secret name (letters, digits, '_', '.', '-', at most 100)")
        }
        self[name] = value
    }
}

/// A run's view of `TestSecrets`: hides every value it hands out or stores.
struct RedactingSecrets: SecretStore {
    let store: TestSecrets
    let redactor: SecretRedactor

    func get(_ name: String) async throws -> String? {
        let value = try await store.get(name)
        if let value { redactor.hide(value) }
        return value
    }

    func set(_ name: String, _ value: String) async throws {
        redactor.hide(value)
        try await store.set(name, value)
    }
}

/// Files in memory, with the gateway's path rules (a path that could escape its folder is refused).
public final class TestFiles: FileStore, Sendable {
    private let stored = Mutex<[FileLocation: [String: [UInt8]]]>([:])

    public init() {}

    /// The workspace file at `path`; setting nil removes it.
    public subscript(path: String) -> [UInt8]? {
        get { stored.withLock { $0[.workspace]?[path] } }
        set { stored.withLock { $0[.workspace, default: [:]][path] = newValue } }
    }

    public func write(_ path: String, _ contents: [UInt8], location: FileLocation) async throws {
        let path = try Self.checked(path)
        stored.withLock { $0[location, default: [:]][path] = contents }
    }

    public func read(_ path: String, location: FileLocation) async throws -> [UInt8] {
        let path = try Self.checked(path)
        guard let contents = stored.withLock({ $0[location]?[path] }) else {
            throw WorkflowError("There is no file \"\(path)\" in the \(location.rawValue) files")
        }
        return contents
    }

    public func list(_ folder: String, location: FileLocation) async throws -> [String] {
        let trimmed = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let prefix = trimmed.isEmpty ? "" : try Self.checked(trimmed) + "/"
        return stored.withLock { $0[location]?.keys.filter { $0.hasPrefix(prefix) }.sorted() ?? [] }
    }

    public func delete(_ path: String, location: FileLocation) async throws -> Bool {
        let path = try Self.checked(path)
        return stored.withLock { $0[location]?.removeValue(forKey: path) != nil }
    }

    /// Temporary files last for their run, as in the gateway.
    func removeTemporaryFiles() {
        stored.withLock { $0[.temp] = nil }
    }

    private static func checked(_ path: String) throws -> String {
        do {
            return try StoredFilePath(path).text
        } catch let refusal as StoredFilePath.Refusal {
            throw WorkflowError(refusal.description)
        }
    }
}

/// OAuth tokens by connection name: `tester.oauth["microsoft"] = OAuthToken(accessToken: "t", …)`.
public final class TestOAuthTokens: OAuthTokens, Sendable {
    private let tokens = Mutex<[String: OAuthToken]>([:])

    public init() {}

    /// The token handed out for `connection`; nil means the organisation has no such connection.
    public subscript(connection: String) -> OAuthToken? {
        get { tokens.withLock { $0[connection] } }
        set { tokens.withLock { $0[connection] = newValue } }
    }

    public func getToken(_ connection: String) async throws -> OAuthToken? { self[connection] }
}

/// A run's view of `TestOAuthTokens`: hides each token it hands out from the run's logs, result and error.
struct RedactingTokens: OAuthTokens {
    let tokens: TestOAuthTokens
    let redactor: SecretRedactor

    func getToken(_ connection: String) async throws -> OAuthToken? {
        let token = try await tokens.getToken(connection)
        if let token { redactor.hide(token.accessToken) }
        return token
    }
}
