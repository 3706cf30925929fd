public import Logging

/// The log handlers `bifrost` installs, by configured format.
public enum LogOutput {
    /// A handler factory for `LoggingSystem.bootstrap`.
    public static func factory(
        format: GatewayConfiguration.Log.Format, level: Logger.Level
    ) -> @Sendable (String) -> any LogHandler {
        switch format {
        case .json:
            return { label in JSONLogHandler(label: label, level: level) }
        case .text:
            return { label in TextLogHandler(label: label, level: level) }
        }
    }
}
