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
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128)
        write(to: &bytes, replacingNUL: replacingNUL)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the value's JSON text as UTF-8. Bytes rather than `String` appends: a run's record is written
    /// this way on every run, and byte appends cost a fraction of string appends (measured with callgrind).
    private func write(to bytes: inout [UInt8], replacingNUL: Bool) {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let bool): bytes.append(contentsOf: bool ? "true".utf8 : "false".utf8)
        case .int(let int): Self.writeInteger(int, to: &bytes)
        case .double(let double): bytes.append(contentsOf: double.isFinite ? "\(double)".utf8 : "null".utf8)
        case .string(let string): Self.writeString(string, to: &bytes, replacingNUL: replacingNUL)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                element.write(to: &bytes, replacingNUL: replacingNUL)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in object {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                Self.writeString(key, to: &bytes, replacingNUL: replacingNUL)
                bytes.append(UInt8(ascii: ":"))
                value.write(to: &bytes, replacingNUL: replacingNUL)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Decimal digits of `int`, with no intermediate `String`.
    private static func writeInteger(_ int: Int, to bytes: inout [UInt8]) {
        if int < 0 { bytes.append(UInt8(ascii: "-")) }
        // The magnitude as unsigned, so that Int.min does not overflow.
        var magnitude = int.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// A JSON string: runs of bytes that need no escape are copied whole; `"`, `\` and control characters are
    /// escaped (U+0000 becomes U+FFFD when `replacingNUL`). Bytes of multi-byte UTF-8 sequences are all ≥ 0x80,
    /// so they are never taken for one of these.
    private static func writeString(_ string: String, to bytes: inout [UInt8], replacingNUL: Bool) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): bytes.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): bytes.append(contentsOf: #"\t"#.utf8)
                case 0 where replacingNUL: bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: #"\u00"#.utf8)
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
