public import Foundation
public import Logging

/// Writes each log entry as one JSON object per line (`log.format: json`), for log collectors.
///
/// Members: `time` (ISO 8601, UTC), `level`, `label`, `message`, `source`, then the metadata as strings.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let output: FileHandle

    /// A handler writing to standard error.
    public init(label: String, level: Logger.Level, output: FileHandle = .standardError) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var entry: [String: String] = [:]
        for (key, value) in metadata { entry[key] = "\(value)" }
        for (key, value) in event.metadata ?? [:] { entry[key] = "\(value)" }
        entry["time"] = Date().formatted(.iso8601)
        entry["level"] = event.level.rawValue
        entry["label"] = label
        entry["message"] = "\(event.message)"
        entry["source"] = event.source
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(entry) else { return }
        line.append(0x0A)
        output.write(line)
    }
}
