/// Configuration values (`config.get` / `config.set` in the seed).
public protocol ConfigStore: Sendable {
    /// The organisation's value, else the global one, else `defaultValue`.
    func get(_ key: String, default defaultValue: JSONValue?) async throws -> JSONValue?
    /// Writes a value in the run's scope.
    func set(_ key: String, _ value: JSONValue) async throws
}

extension ConfigStore {
    /// The organisation's value, else the global one, else nil.
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
