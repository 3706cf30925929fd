import Bifrost
import Foundation

/// An endpoint call's input: its query parameters merged with the fields of its body (JSON object or
/// `application/x-www-form-urlencoded`; a body field wins over a query parameter of the same name), and each text
/// value converted to its parameter's type, so that `?id=42` reaches an `int` parameter as 42. The engine then
/// validates the result exactly as for `execute`.
enum EndpointInput {
    /// - Throws: `Problem` (400 for a body that does not parse, 415 for another content type, 422 naming each
    ///   field whose text is not of its type).
    static func values(
        query: [(String, String)], body: [UInt8], contentType: String?, parameters: [ParameterDeclaration]
    ) throws -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for (name, value) in query { values[name] = .string(value) }
        let media = contentType?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if !body.isEmpty {
            switch media {
            case "application/json", nil:
                guard case .object(let fields) = try? JSONValue(parsing: body) else {
                    throw Problem.badRequest("The body must be a JSON object.")
                }
                values.merge(fields) { _, body in body }
            case "application/x-www-form-urlencoded":
                for (name, value) in form(String(decoding: body, as: UTF8.self)) { values[name] = .string(value) }
            default:
                throw Problem.unsupportedMediaType("Send application/json or application/x-www-form-urlencoded.")
            }
        }
        var errors: [Problem.FieldError] = []
        for parameter in parameters {
            guard case .string(let text) = values[parameter.name] else { continue }
            switch convert(text, to: parameter.kind) {
            case .some(let converted): values[parameter.name] = converted
            case .none: errors.append(.init(field: parameter.name, message: "must be \(parameter.kind.rawValue)"))
            }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return values
    }

    /// `text` as a value of `kind`; nil when it is not one.
    private static func convert(_ text: String, to kind: ParameterKind) -> JSONValue? {
        switch kind {
        case .string, .email: return .string(text)
        case .int: return integer(text).map(JSONValue.int)
        case .float: return number(text).map(JSONValue.double)
        case .bool:
            switch text.lowercased() {
            case "true", "1", "yes", "on": return .bool(true)
            case "false", "0", "no", "off": return .bool(false)
            default: return nil
            }
        case .json, .list:
            // Statements, not `?:` with a `nil` branch: `JSONValue` is `ExpressibleByNilLiteral`, so there that
            // `nil` becomes `.null`, a converted value, instead of a refusal.
            if let parsed = try? JSONValue(parsing: text) {
                if kind == .list, parsed.arrayValue == nil { return nil }
                return parsed
            }
            // A list may also come as comma-separated text.
            guard kind == .list else { return nil }
            return .array(text.split(separator: ",").map { .string(String($0)) })
        }
    }

    /// `text` as a whole number within `Int`'s range; nil for anything else, and for `-0`, which is no integer
    /// a client means.
    private static func integer(_ text: String) -> Int? {
        guard let value = Int(text), value != 0 || !text.hasPrefix("-") else { return nil }
        return value
    }

    /// `text` as a finite number; nil for what `Double(_:)` reads but JSON has no number for (`nan`, `inf`,
    /// `infinity`, `1e999` overflowing to infinity, negative zero), and for digits beyond `Int`'s range, which an
    /// `int` parameter refuses too (a `Double` would round them silently).
    private static func number(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite, value != 0 || value.sign == .plus else { return nil }
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        if !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            Int(text) == nil
        {
            return nil
        }
        return value
    }

    /// The fields of an `application/x-www-form-urlencoded` text (`+` is a space).
    static func form(_ text: String) -> [(String, String)] {
        // `&`, `=` and `+` are found as bytes, as every other form parser does: as `Character`s, one followed by a
        // combining mark is no `&`, `=` or `+`, and fields would merge.
        text.utf8.split(separator: UInt8(ascii: "&")).compactMap { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false).map {
                let part = String(decoding: $0.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
                return part.removingPercentEncoding ?? part
            }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
    }
}
