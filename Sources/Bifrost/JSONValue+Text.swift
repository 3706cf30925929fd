extension JSONValue {
    /// The value as compact JSON text (object keys in no particular order).
    ///
    /// Written directly rather than through `JSONEncoder`, which is several times slower for this one type; the
    /// engine writes every run's input and result this way. Non-finite numbers, which JSON cannot express, are
    /// written as `null`.
    public var jsonText: String {
        var text = ""
        text.reserveCapacity(64)
        write(to: &text)
        return text
    }

    private func write(to text: inout String) {
        switch self {
        case .null: text += "null"
        case .bool(let bool): text += bool ? "true" : "false"
        case .int(let int): text += String(int)
        case .double(let double): text += double.isFinite ? "\(double)" : "null"
        case .string(let string): Self.writeString(string, to: &text)
        case .array(let array):
            text += "["
            for (index, element) in array.enumerated() {
                if index > 0 { text += "," }
                element.write(to: &text)
            }
            text += "]"
        case .object(let object):
            text += "{"
            var first = true
            for (key, value) in object {
                if !first { text += "," }
                first = false
                Self.writeString(key, to: &text)
                text += ":"
                value.write(to: &text)
            }
            text += "}"
        }
    }

    private static func writeString(_ string: String, to text: inout String) {
        text += "\""
        if string.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) {
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
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
