package import Foundation
package import Logging

/// One log entry, written as a line of text or of JSON.
package struct LogLine {
    package var time: Date
    package var level: Logger.Level
    package var label: String
    package var source: String
    package var message: String
    package var metadata: Logger.Metadata

    /// `time level label: key=value … [source] message`, the metadata sorted by key (`log.format: text`).
    ///
    /// Always exactly one line: line breaks and other control characters in the message, keys and values are
    /// escaped (`\n`, `\u{1B}`), so a value cannot end the line and forge another entry.
    package var text: Data? {
        var line = "\(time.formatted(.iso8601)) \(level) \(label):"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " " + Self.escaped(key) + "=" + Self.escaped("\(value)")
        }
        line += " [\(Self.escaped(source))] \(Self.escaped(message))\n"
        return Data(line.utf8)
    }

    /// `text` with control characters (C0, DEL, C1, and the Unicode line and paragraph separators) escaped.
    package static func escaped(_ text: String) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
        }
        // Bytes that start every such character in UTF-8; most text has none, and is returned as it is.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }),
            text.unicodeScalars.contains(where: isControl)
        else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where isControl(scalar): escaped += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// One JSON object (`log.format: json`): `time` (ISO 8601, UTC), `level`, `label`, `message`, `source`, then
    /// the metadata as strings; nil if it cannot be encoded.
    package var json: Data? {
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
