/// A configuration value that cannot be used; start-up stops with this message and exit status 2.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The dotted key, as in `Config/bifrost.yaml` (`http.port`).
    public var key: String
    /// The value as given (never shown for secret keys).
    public var value: String
    /// What a valid value looks like.
    public var expected: String
    /// Whether the value must not be shown.
    public var isSecret: Bool

    public init(key: String, value: String, expected: String, isSecret: Bool = false) {
        self.key = key
        self.value = value
        self.expected = expected
        self.isSecret = isSecret
    }

    /// The environment variable that sets this key (`BIFROST_HTTP_PORT`).
    public var environmentVariable: String { ConfigurationKeys.environmentVariable(for: key) }

    public var description: String {
        let shown = isSecret ? "(hidden)" : "\"\(value)\""
        return "invalid configuration: \(key) = \(shown) (environment \(environmentVariable), "
            + "flag --\(ConfigurationKeys.flag(for: key))): expected \(expected)"
    }
}

/// How a dotted configuration key is spelt in each place it can be set.
public enum ConfigurationKeys {
    /// `http.maxBodySize` → `BIFROST_HTTP_MAX_BODY_SIZE`.
    public static func environmentVariable(for key: String) -> String {
        "BIFROST_" + words(of: key).joined(separator: "_").uppercased()
    }

    /// `http.maxBodySize` → `http-max-body-size`.
    public static func flag(for key: String) -> String {
        words(of: key).joined(separator: "-").lowercased()
    }

    private static func words(of key: String) -> [String] {
        var words: [String] = []
        for component in key.split(separator: ".") {
            var word = ""
            for character in component {
                if character.isUppercase, !word.isEmpty {
                    words.append(word)
                    word = ""
                }
                word.append(character)
            }
            if !word.isEmpty { words.append(word) }
        }
        return words
    }
}
