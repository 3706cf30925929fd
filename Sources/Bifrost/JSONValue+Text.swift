extension JSONValue {
    /// The value as compact JSON text (object keys in no particular order).
    ///
    /// Written directly rather than through `JSONEncoder`, which is several times slower for this one type; the
    /// engine writes every run's input and result this way. Non-finite numbers, which JSON cannot express, are
    /// written as `null`.
    public var jsonText: String { text(replacingNUL: false) }

    /// The value as compact JSON text that PostgreSQL can store as `jsonb` or `text`: as `jsonText`, but every
    /// U+0000 (which PostgreSQL cannot store) in a string or key is written as U+FFFD. What a workflow produces
    /// (results, errors, log lines) is written this way, so that a run's record can always be written.
    public var storableJSONText: String { text(replacingNUL: true) }

    private func text(replacingNUL: Bool) -> String {
        var text = ""
        text.reserveCapacity(64)
        write(to: &text, replacingNUL: replacingNUL)
        return text
    }

    private func write(to text: inout String, replacingNUL: Bool) {
        switch self {
        case .null: text += "null"
        case .bool(let bool): text += bool ? "true" : "false"
        case .int(let int): text += String(int)
        case .double(let double): text += double.isFinite ? "\(double)" : "null"
        case .string(let string): Self.writeString(string, to: &text, replacingNUL: replacingNUL)
        case .array(let array):
            text += "["
            for (index, element) in array.enumerated() {
                if index > 0 { text += "," }
                element.write(to: &text, replacingNUL: replacingNUL)
            }
            text += "]"
        case .object(let object):
            text += "{"
            var first = true
            for (key, value) in object {
                if !first { text += "," }
                first = false
                Self.writeString(key, to: &text, replacingNUL: replacingNUL)
                text += ":"
                value.write(to: &text, replacingNUL: replacingNUL)
            }
            text += "}"
        }
    }

    private static func writeString(_ string: String, to text: inout String, replacingNUL: Bool) {
        text += "\""
        if string.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) {
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case "\0" where replacingNUL: text += "\u{FFFD}"
                case _ where scalar.value < 0x10: text += "\\u000" + String(scalar.value, radix: 16)
                case _ where scalar.value < 0x20: text += "\\u001" + String(scalar.value - 0x10, radix: 16)
                default: text.unicodeScalars.append(scalar)
                }
            }
        } else {
            text += string
        }
        text += "\""
    }
}
