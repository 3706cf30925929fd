extension JSONValue {
    /// JSON text that is not a single valid JSON value, with where the parser stopped.
    public struct ParseError: Error, CustomStringConvertible, Hashable, Sendable {
        /// Offset of the offending byte in the text.
        public let offset: Int
        /// What the parser expected or found there (`expected ':'`, `unterminated string`).
        public let reason: String

        /// `Invalid JSON at byte <offset>: <reason>`.
        public var description: String { "Invalid JSON at byte \(offset): \(reason)" }
    }

    /// Parses JSON text (UTF-8) into a value, as `JSONDecoder` decodes `JSONValue` but without going through
    /// `Codable`, which costs several microseconds per value: the engine parses every run's input this way, and
    /// the queue every claimed job's.
    ///
    /// Numbers are decoded as `JSONDecoder` decodes them: an integral value within `Int`'s range is `.int`
    /// (also when written `1.0` or `1e2`), anything else `.double`; a number beyond `Double`'s range is an error.
    /// Objects keep the last of repeated keys. Stricter than `JSONDecoder` in one way: trailing commas, which RFC
    /// 8259 does not allow, are refused. Nesting deeper than 512 levels is refused.
    /// - Throws: `ParseError` when the text is not exactly one JSON value (whitespace around it aside).
    public init<Bytes: Collection>(parsing text: Bytes) throws where Bytes.Element == UInt8 {
        if let value = try text.withContiguousStorageIfAvailable({ try JSONTextParser.parse($0) }) {
            self = value
        } else {
            self = try Array(text).withUnsafeBufferPointer { try JSONTextParser.parse($0) }
        }
    }

    /// Parses JSON text into a value (see `init(parsing:)` for bytes).
    public init(parsing text: String) throws {
        var text = text
        self = try text.withUTF8 { try JSONTextParser.parse($0) }
    }
}

/// A recursive-descent parser of RFC 8259 JSON text over UTF-8 bytes.
private struct JSONTextParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    var depth = 0

    static let maximumDepth = 512

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The one value `bytes` hold.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONValue.ParseError) -> JSONValue {
        var parser = JSONTextParser(bytes: bytes)
        return try parser.document()
    }

    private mutating func document() throws(JSONValue.ParseError) -> JSONValue {
        let value = try value()
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected text after the value") }
        return value
    }

    private mutating func value() throws(JSONValue.ParseError) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw failure("unexpected end of text") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw failure("unexpected character")
        }
    }

    private mutating func object() throws(JSONValue.ParseError) -> JSONValue {
        try enter()
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if take(UInt8(ascii: "}")) {
            depth -= 1
            return .object(members)
        }
        repeat {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("expected a key") }
            let key = try string()
            skipWhitespace()
            guard take(UInt8(ascii: ":")) else { throw failure("expected ':'") }
            members[key] = try value()
            skipWhitespace()
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")) else { throw failure("expected ',' or '}'") }
        depth -= 1
        return .object(members)
    }

    private mutating func array() throws(JSONValue.ParseError) -> JSONValue {
        try enter()
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if take(UInt8(ascii: "]")) {
            depth -= 1
            return .array(elements)
        }
        repeat {
            elements.append(try value())
            skipWhitespace()
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "]")) else { throw failure("expected ',' or ']'") }
        depth -= 1
        return .array(elements)
    }

    /// A string starting at the opening quote; escapes decoded, UTF-8 validated.
    private mutating func string() throws(JSONValue.ParseError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                guard let text = String(validating: bytes[start..<position], as: UTF8.self) else {
                    throw failure("invalid UTF-8")
                }
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw failure("control character in a string") }
            position += 1
        }
        var decoded = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: decoded, as: UTF8.self) else { throw failure("invalid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                try unescape(into: &decoded)
            case ..<0x20:
                position -= 1
                throw failure("control character in a string")
            default:
                decoded.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    /// Decodes the escape after a backslash.
    private mutating func unescape(into decoded: inout [UInt8]) throws(JSONValue.ParseError) {
        guard position < bytes.count else { throw failure("unterminated string") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hexQuad())
            if (0xD800...0xDBFF).contains(scalar) {
                guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")) else { throw failure("unpaired surrogate") }
                let low = UInt32(try hexQuad())
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let character = Unicode.Scalar(scalar) else { throw failure("unpaired surrogate") }
            decoded.append(contentsOf: UTF8.encode(character)!)
        default:
            position -= 1
            throw failure("invalid escape")
        }
    }

    private mutating func hexQuad() throws(JSONValue.ParseError) -> UInt16 {
        guard position + 4 <= bytes.count else { throw failure("invalid \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    private mutating func number() throws(JSONValue.ParseError) -> JSONValue {
        let start = position
        _ = take(UInt8(ascii: "-"))
        if take(UInt8(ascii: "0")) {
            // A leading zero stands alone.
        } else if skipDigits() == 0 {
            throw failure("expected a digit")
        }
        var integral = true
        if take(UInt8(ascii: ".")) {
            integral = false
            guard skipDigits() > 0 else { throw failure("expected a digit after '.'") }
        }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            integral = false
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard skipDigits() > 0 else { throw failure("expected a digit in the exponent") }
        }
        let text = Substring(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if integral, let int = Int(text) { return .int(int) }
        guard let double = Double(text), double.isFinite else {
            position = start
            throw failure("number out of range")
        }
        if double.rounded() == double, double >= -0x1p63, double < 0x1p63 { return .int(Int(double)) }
        return .double(double)
    }

    /// Skips decimal digits. - Returns: how many.
    private mutating func skipDigits() -> Int {
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
        return position - start
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONValue.ParseError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count,
            word.withUTF8Buffer({ $0.elementsEqual(bytes[position..<position + count]) })
        else { throw failure("unexpected character") }
        position += count
        return value
    }

    private mutating func enter() throws(JSONValue.ParseError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("nested too deeply") }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func failure(_ reason: String) -> JSONValue.ParseError {
        JSONValue.ParseError(offset: position, reason: reason)
    }
}
