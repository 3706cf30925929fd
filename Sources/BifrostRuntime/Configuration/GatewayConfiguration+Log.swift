public import Logging

extension GatewayConfiguration {
    /// How the process logs.
    public struct Log: Sendable {
        public enum Format: String, Sendable { case text, json }
        public var level: Logger.Level = .info
        public var format: Format = .text
    }
}

extension GatewayConfiguration.Log {
    /// Reads the `log.` keys (`values` scoped to `log`).
    package init(reading values: ConfigValues) throws {
        if let text = try values.string("level") {
            guard let parsed = Logger.Level(rawValue: text.lowercased()) else {
                throw values.error(
                    "level", value: text,
                    expected: "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                )
            }
            level = parsed
        }
        if let text = try values.string("format") {
            guard let parsed = Format(rawValue: text.lowercased()) else {
                throw values.error("format", value: text, expected: "text or json")
            }
            format = parsed
        }
    }
}
