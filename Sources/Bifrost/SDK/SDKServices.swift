public import Foundation

/// Configuration values (`config.get` / `config.set` in the seed).
public protocol ConfigStore: Sendable {
    /// The organisation's value, else the global one, else `defaultValue`.
    func get(_ key: String, default defaultValue: JSONValue?) async throws -> JSONValue?
    /// Writes a value in the run's scope.
    func set(_ key: String, _ value: JSONValue) async throws
}

extension ConfigStore {
    public func get(_ key: String) async throws -> JSONValue? { try await get(key, default: nil) }

    /// The organisation's value, else the global one, else `defaultValue`, as a `Value`:
    /// `let limit: Int = try await context.config.get("max_users", default: 50)`.
    /// - Throws: `WorkflowError` naming the key when the stored value is not a `Value`.
    public func get<Value: Decodable>(_ key: String, as type: Value.Type = Value.self, default defaultValue: Value)
        async throws -> Value
    {
        guard let value = try await get(key, default: nil), value != .null else { return defaultValue }
        return try Self.convert(value, of: key, to: type)
    }

    /// The organisation's value, else the global one, else nil, as a `Value`.
    /// - Throws: `WorkflowError` naming the key when the stored value is not a `Value`.
    public func get<Value: Decodable>(_ key: String, as type: Value.Type) async throws -> Value? {
        guard let value = try await get(key, default: nil), value != .null else { return nil }
        return try Self.convert(value, of: key, to: type)
    }

    private static func convert<Value: Decodable>(_ value: JSONValue, of key: String, to type: Value.Type) throws
        -> Value
    {
        do {
            return try JSONValueDecoder().decode(type, from: value)
        } catch {
            throw WorkflowError("Configuration value \"\(key)\" is not of type \(type) (it is \(value.kindName))")
        }
    }
}

/// Encrypted secrets (`secrets.get` / `secrets.set`).
public protocol SecretStore: Sendable {
    /// The organisation's secret, else the global one, else nil.
    func get(_ name: String) async throws -> String?
    /// Writes a secret in the run's scope.
    func set(_ name: String, _ value: String) async throws
}

/// Tokens of OAuth connections (`oauth.get_token`).
public protocol OAuthTokens: Sendable {
    /// A valid token of the named connection: the organisation's, else a global one the platform shares with
    /// organisations; nil if there is none. The token is usable only at its provider's API addresses
    /// (`OAuthToken.authorizationHeader(for:)`).
    func getToken(_ connection: String) async throws -> OAuthToken?
}

/// Where a run's file lives: the organisation's `workspace` (kept) or the run's own `temp` space (removed when
/// the run ends).
public enum FileLocation: String, Sendable, CaseIterable {
    case workspace
    case temp
}

/// Files of the run's organisation (`files.read` / `files.write`). Paths are relative, with `/` between folders
/// (`data/output.txt`); one that could escape (`..`, absolute, NUL, a backslash) is refused.
public protocol FileStore: Sendable {
    /// Writes (or replaces) a file. - Throws: for a bad path, or a file or organisation over its size limit.
    func write(_ path: String, _ contents: [UInt8], location: FileLocation) async throws
    /// The file's contents. - Throws: when there is no such file.
    func read(_ path: String, location: FileLocation) async throws -> [UInt8]
    /// The paths of the files in `folder` and below ("" for all), sorted.
    func list(_ folder: String, location: FileLocation) async throws -> [String]
    /// Deletes a file. - Returns: whether there was one.
    @discardableResult
    func delete(_ path: String, location: FileLocation) async throws -> Bool
}

extension FileStore {
    /// Writes text as UTF-8.
    public func write(_ path: String, _ text: String, location: FileLocation = .workspace) async throws {
        try await write(path, Array(text.utf8), location: location)
    }

    /// The file's contents.
    public func read(_ path: String) async throws -> [UInt8] { try await read(path, location: .workspace) }

    /// The file's contents as text (UTF-8).
    public func readText(_ path: String, location: FileLocation = .workspace) async throws -> String {
        String(decoding: try await read(path, location: location), as: UTF8.self)
    }

    /// The paths of the workspace's files in `folder` and below.
    public func list(_ folder: String = "") async throws -> [String] { try await list(folder, location: .workspace) }

    /// Deletes a workspace file. - Returns: whether there was one.
    @discardableResult
    public func delete(_ path: String) async throws -> Bool { try await delete(path, location: .workspace) }
}

/// The SDK service behind a name that this gateway does not provide yet: every call fails, saying so.
public struct UnavailableService: ConfigStore, SecretStore, OAuthTokens, FileStore {
    public let service: String

    public init(_ service: String) { self.service = service }

    private var error: WorkflowError { WorkflowError("The \(service) service is not available in this gateway yet.") }

    public func get(_ key: String, default defaultValue: JSONValue?) async throws -> JSONValue? { throw error }
    public func set(_ key: String, _ value: JSONValue) async throws { throw error }
    public func get(_ name: String) async throws -> String? { throw error }
    public func set(_ name: String, _ value: String) async throws { throw error }
    public func getToken(_ connection: String) async throws -> OAuthToken? { throw error }
    public func write(_ path: String, _ contents: [UInt8], location: FileLocation) async throws { throw error }
    public func read(_ path: String, location: FileLocation) async throws -> [UInt8] { throw error }
    public func list(_ folder: String, location: FileLocation) async throws -> [String] { throw error }
    public func delete(_ path: String, location: FileLocation) async throws -> Bool { throw error }
}

extension JSONValue {
    /// What kind of value this is, for messages that must not show the value itself.
    fileprivate var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
