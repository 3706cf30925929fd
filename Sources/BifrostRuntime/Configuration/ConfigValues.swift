package import Configuration
import Foundation

/// The configuration under one key prefix (`http.`, `oidc.entra.`), read as raw strings and converted here, so
/// that a malformed value is an error rather than a silent default. Errors name the whole key.
package struct ConfigValues {
    private let reader: ConfigReader
    /// The keys' common prefix, with its trailing dot; empty at the top.
    private let prefix: String

    package init(reader: ConfigReader) {
        self.init(reader: reader, prefix: "")
    }

    private init(reader: ConfigReader, prefix: String) {
        self.reader = reader
        self.prefix = prefix
    }

    /// The keys under `component` (`scoped(to: "http")` reads `http.port` as `port`).
    package func scoped(to component: String) -> ConfigValues {
        ConfigValues(reader: reader, prefix: prefix + component + ".")
    }

    /// The error for `key`'s `value`, naming the whole key.
    package func error(_ key: String, value: String, expected: String, isSecret: Bool = false) -> ConfigurationError {
        ConfigurationError(key: prefix + key, value: value, expected: expected, isSecret: isSecret)
    }

    package func string(_ key: String, isSecret: Bool = false) throws -> String? {
        guard let value = reader.string(forKey: ConfigKey(prefix + key), isSecret: isSecret) else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw error(key, value: value, expected: "a non-empty value", isSecret: isSecret)
        }
        return trimmed
    }

    package func boolean(_ key: String) throws -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw error(key, value: text, expected: "true or false")
        }
    }

    /// A list given as a YAML sequence or as one comma-separated string (environment, flags).
    package func list(_ key: String) throws -> [String] {
        let items =
            try string(key).map { $0.split(separator: ",").map(String.init) }
            ?? reader.stringArray(forKey: ConfigKey(prefix + key)) ?? []
        return items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    package func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try string(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw error(key, value: text, expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}

extension ConfigValues {
    /// A fraction such as a sampling ratio: a decimal number within `range`.
    package func fraction(_ key: String, in range: ClosedRange<Double> = 0...1) throws -> Double? {
        guard let text = try string(key) else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw error(key, value: text, expected: "a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
