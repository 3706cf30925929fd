import Bifrost
import Foundation

/// The checks of one JSON Schema of `openapi.yaml` that the generated server leaves out: lengths, bounds,
/// patterns and item counts, for the value and everything inside it.
///
/// Types, required members and enumerations are checked by the generated decoders; this type checks only what
/// they do not, and ignores a value of another type than the schema's (the decoder refuses it with its own
/// message). Every string anywhere, object keys included, is also refused if it holds U+0000, which PostgreSQL
/// cannot store.
struct ContractSchema: Sendable {
    var minimum: Double?
    var maximum: Double?
    var minLength: Int?
    var maxLength: Int?
    var pattern: (text: String, expression: NSRegularExpression)?
    /// `type: integer` or `type: number`: text parameters must parse as one.
    var numberKind: NumberKind?
    var minItems: Int?
    var maxItems: Int?
    var properties: [String: ContractSchema] = [:]
    /// The schema of each array element.
    var items: Box?
    /// The schema of members not named in `properties`, when it is one.
    var additionalProperties: Box?

    /// An indirection, so that a schema can hold schemas.
    final class Box: Sendable {
        let schema: ContractSchema
        init(_ schema: ContractSchema) { self.schema = schema }
    }

    /// A schema that checks nothing but U+0000.
    static let unconstrained = ContractSchema()

    /// The problems of `value` at `path` (`name`, `scopes.3`), each naming the field.
    func problems(of value: JSONValue, at path: String) -> [Problem.FieldError] {
        var found: [Problem.FieldError] = []
        check(value, at: path, into: &found)
        return found
    }

    private func check(_ value: JSONValue, at path: String, into found: inout [Problem.FieldError]) {
        switch value {
        case .string(let text):
            found += problems(ofText: text, at: path)
        case .int(let number):
            found += problems(ofNumber: Double(number), at: path)
        case .double(let number):
            found += problems(ofNumber: number, at: path)
        case .array(let elements):
            if let minItems, elements.count < minItems {
                found.append(.init(field: path, message: "must have at least \(minItems) items"))
            }
            if let maxItems, elements.count > maxItems {
                found.append(.init(field: path, message: "must have at most \(maxItems) items"))
                return  // do not walk an oversized array element by element
            }
            let element = items?.schema ?? .unconstrained
            for (index, item) in elements.enumerated() {
                element.check(item, at: Self.join(path, String(index)), into: &found)
            }
        case .object(let members):
            for key in members.keys.sorted() {
                guard let member = members[key] else { continue }
                let field = Self.join(path, key)
                if key.utf8.contains(0) { found.append(.init(field: field, message: Self.nulMessage)) }
                let schema = properties[key] ?? additionalProperties?.schema ?? .unconstrained
                schema.check(member, at: field, into: &found)
            }
        case .null, .bool:
            break
        }
    }

    /// The problems of a text value (a JSON string, or a query, path or header parameter).
    func problems(ofText text: String, at path: String) -> [Problem.FieldError] {
        var found: [Problem.FieldError] = []
        if text.utf8.contains(0) { found.append(.init(field: path, message: Self.nulMessage)) }
        if minLength != nil || maxLength != nil {
            let length = text.unicodeScalars.count
            if let minLength, length < minLength {
                found.append(.init(field: path, message: "must have at least \(minLength) characters"))
            }
            if let maxLength, length > maxLength {
                found.append(.init(field: path, message: "must have at most \(maxLength) characters"))
            }
        }
        // A text already too long is not also matched against the pattern (which would cost time on large input).
        if let pattern, found.isEmpty {
            let whole = NSRange(text.startIndex..., in: text)
            if pattern.expression.firstMatch(in: text, range: whole) == nil {
                found.append(.init(field: path, message: "must match \(pattern.text)"))
            }
        }
        return found
    }

    /// The problems of a number.
    func problems(ofNumber number: Double, at path: String) -> [Problem.FieldError] {
        guard number.isFinite else { return [.init(field: path, message: "must be a finite number")] }
        if let minimum, number < minimum {
            return [.init(field: path, message: "must be at least \(Self.text(minimum))")]
        }
        if let maximum, number > maximum {
            return [.init(field: path, message: "must be at most \(Self.text(maximum))")]
        }
        return []
    }

    /// The kinds of number a schema may declare.
    enum NumberKind: Sendable {
        case integer, number
    }

    /// The problems of a query, path or header parameter's text: a number parameter's text must be a finite
    /// number (an integer within 64 bits for `integer`) within the bounds.
    func problems(ofParameter text: String, at path: String) -> [Problem.FieldError] {
        switch numberKind {
        case .integer:
            guard let number = Int64(text) else { return [.init(field: path, message: "must be an integer")] }
            return problems(ofNumber: Double(number), at: path)
        case .number:
            guard let number = Double(text), number.isFinite, text.allSatisfy({ $0.isNumber || "+-.eE".contains($0) })
            else {
                return [.init(field: path, message: "must be a number")]
            }
            return problems(ofNumber: number, at: path)
        case nil:
            return problems(ofText: text, at: path)
        }
    }

    static let nulMessage = "must not contain the NUL character (U+0000)"

    private static func join(_ path: String, _ member: String) -> String {
        path == "(body)" ? member : path + "." + member
    }

    private static func text(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
