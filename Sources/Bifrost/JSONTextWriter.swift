public import Foundation

/// Writes compact JSON text straight into UTF-8 bytes: for documents whose shape the code knows (a run's row on its
/// way to the database), so that no `JSONValue` tree, with a dictionary per object whose keys are hashed, is built
/// only to be written out. `JSONValue.jsonText` writes through it too, so escaping lives in one place.
///
/// Commas are placed by the writer: open a container, then write values (in an array) or `key`/value pairs (in an
/// object), then close it. Strings are escaped as JSON requires; non-finite numbers, which JSON cannot express,
/// are written as `null`; with `replacingNUL`, U+0000 in strings and keys (which PostgreSQL cannot store) is
/// written as U+FFFD.
public struct JSONTextWriter: Sendable {
    /// The text so far.
    public private(set) var bytes: [UInt8] = []
    private let replacingNUL: Bool
    /// Whether the next value or key in the open container follows another, and so needs a comma.
    private var follows = false

    /// - Parameters:
    ///   - replacingNUL: write U+0000 as U+FFFD (text PostgreSQL can store).
    ///   - capacity: bytes to reserve.
    public init(replacingNUL: Bool, capacity: Int = 128) {
        self.replacingNUL = replacingNUL
        bytes.reserveCapacity(capacity)
    }

    /// The text so far, as a string.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// The key of the next member of the open object: one of the code's own names, written as it is (a name that
    /// would need escaping is refused in debug builds).
    public mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { name in
            assert(!name.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 })
            bytes.append(contentsOf: name)
        }
        bytes.append(contentsOf: #"":"#.utf8)
        follows = false
    }

    /// The key of the next member of the open object, escaped as needed.
    private mutating func key(escaping key: String) {
        separate()
        appendString(key)
        bytes.append(UInt8(ascii: ":"))
        follows = false
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        follows = true
    }

    public mutating func bool(_ bool: Bool) {
        separate()
        bytes.append(contentsOf: bool ? "true".utf8 : "false".utf8)
        follows = true
    }

    public mutating func int(_ int: Int) {
        separate()
        appendInteger(int)
        follows = true
    }

    public mutating func double(_ double: Double) {
        separate()
        bytes.append(contentsOf: double.isFinite ? "\(double)".utf8 : "null".utf8)
        follows = true
    }

    public mutating func string(_ string: String) {
        separate()
        appendString(string)
        follows = true
    }

    /// The identifier's canonical lowercase text, as a string.
    public mutating func string(_ uuid: UUID) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { text in
            uuid.writeLowercasedText(into: text)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<36]))
        }
        bytes.append(UInt8(ascii: "\""))
        follows = true
    }

    /// Writes `value` whole.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let bool): self.bool(bool)
        case .int(let int): self.int(int)
        case .double(let double): self.double(double)
        case .string(let string): self.string(string)
        case .array(let array):
            beginArray()
            for element in array { self.value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for (key, member) in object {
                self.key(escaping: key)
                self.value(member)
            }
            endObject()
        }
    }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        follows = false
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        follows = true
    }

    private mutating func separate() {
        if follows { bytes.append(UInt8(ascii: ",")) }
    }

    /// Decimal digits of `int`, with no intermediate `String`.
    private mutating func appendInteger(_ int: Int) {
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
    /// escaped. Bytes of multi-byte UTF-8 sequences are all ≥ 0x80, so they are never taken for one of these.
    private mutating func appendString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        let replacingNUL = replacingNUL
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
