public import Foundation
public import Logging

/// Writes each log entry as one line, in the configured format (`log.format`): text for people, JSON for log
/// collectors (`LogLine`).
///
/// Metadata is kept as set and formatted only when an entry is written. swift-log's `StreamLogHandler` formats
/// all of it again on every change, and every request changes it several times (request id, principal,
/// organisation) while most requests write no entry at all.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let format: GatewayConfiguration.Log.Format
    private let output: FileHandle

    /// A handler writing to standard error.
    public init(
        label: String, level: Logger.Level, format: GatewayConfiguration.Log.Format,
        output: FileHandle = .standardError
    ) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.output = output
    }

    /// A handler factory for `LoggingSystem.bootstrap`.
    public static func factory(
        format: GatewayConfiguration.Log.Format, level: Logger.Level
    ) -> @Sendable (String) -> any LogHandler {
        { label in LineLogHandler(label: label, level: level, format: format) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = LogLine(
            time: Date(), level: event.level, label: label, source: event.source, message: "\(event.message)",
            metadata: merged
        )
        guard let bytes = format == .json ? line.json : line.text else { return }
        // `write(_:)` traps on a write error (a full pipe, a full disk); a lost log line must not stop the process.
        try? output.write(contentsOf: bytes)
    }
}
