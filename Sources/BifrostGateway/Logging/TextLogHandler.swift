public import Foundation
public import Logging

/// Writes each log entry as one line of text (`log.format: text`, the default), for people reading a terminal:
/// `time level label: key=value … [source] message`, the metadata sorted by key.
///
/// Metadata is kept as set and formatted only when an entry is written. swift-log's `StreamLogHandler` formats
/// all of it again on every change, and every request changes it several times (request id, principal,
/// organisation) while most requests write no entry at all.
public struct TextLogHandler: LogHandler {
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
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = "\(Date().formatted(.iso8601)) \(event.level) \(label):"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += " [\(event.source)] \(event.message)\n"
        output.write(Data(line.utf8))
    }
}
