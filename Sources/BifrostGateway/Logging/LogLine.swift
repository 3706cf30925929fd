import Foundation
import Logging

/// One log entry, written as a line of text or of JSON.
struct LogLine {
    var time: Date
    var level: Logger.Level
    var label: String
    var source: String
    var message: String
    var metadata: Logger.Metadata

    /// `time level label: key=value … [source] message`, the metadata sorted by key (`log.format: text`).
    var text: Data? {
        var line = "\(time.formatted(.iso8601)) \(level) \(label):"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += " [\(source)] \(message)\n"
        return Data(line.utf8)
    }

    /// One JSON object (`log.format: json`): `time` (ISO 8601, UTC), `level`, `label`, `message`, `source`, then
    /// the metadata as strings; nil if it cannot be encoded.
    var json: Data? {
        var entry: [String: String] = [:]
        for (key, value) in metadata { entry[key] = "\(value)" }
        entry["time"] = time.formatted(.iso8601)
        entry["level"] = level.rawValue
        entry["label"] = label
        entry["message"] = message
        entry["source"] = source
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(entry) else { return nil }
        line.append(0x0A)
        return line
    }
}
