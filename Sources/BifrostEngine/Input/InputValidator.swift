public import Bifrost
import Foundation

/// One thing wrong with a run's input, named by its field.
public struct InputProblem: Sendable, Hashable {
    public var field: String
    public var message: String
}

/// Why input was refused: every wrong field at once.
public struct InvalidInput: Error, Sendable {
    public var problems: [InputProblem]
}

extension WorkflowEntry {
    /// The input with defaults filled in and numbers normalised, keyed by parameter name.
    /// - Throws: `InvalidInput` listing every unknown field, missing required value, wrong type and broken rule.
    public func validate(_ input: [String: JSONValue]) throws -> [String: JSONValue] {
        var problems: [InputProblem] = []
        var values: [String: JSONValue] = [:]
        let declared = Set(parameters.map(\.name))
        for field in input.keys.sorted() where !declared.contains(field) {
            problems.append(InputProblem(field: field, message: "is not a parameter of \(configuration.name)"))
        }
        for field in input.keys.sorted() {
            guard let value = input[field] else { continue }
            for path in value.pathsHoldingNUL(under: field).sorted() {
                problems.append(InputProblem(field: path, message: "must not contain the NUL character (U+0000)"))
            }
        }
        for parameter in parameters {
            let given = input[parameter.name].flatMap { $0 == .null ? nil : $0 }
            guard let given else {
                if parameter.isRequired {
                    problems.append(InputProblem(field: parameter.name, message: "is required"))
                } else {
                    values[parameter.name] = parameter.defaultValue ?? .null
                }
                continue
            }
            switch Self.convert(given, to: parameter.kind) {
            case .failure(let failure):
                problems.append(InputProblem(field: parameter.name, message: failure.message))
            case .success(let value):
                let broken = check(value, against: parameter)
                problems += broken.map { InputProblem(field: parameter.name, message: $0) }
                if broken.isEmpty { values[parameter.name] = value }
            }
        }
        guard problems.isEmpty else { throw InvalidInput(problems: problems) }
        return values
    }

    /// The JSON a `Decodable` workflow instance is made from: each validated value under its property's name.
    func bindingDocument(_ values: [String: JSONValue]) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for (name, value) in values { object[propertyNames[name] ?? name] = value }
        return .object(object)
    }

    private static func convert(_ value: JSONValue, to kind: ParameterKind) -> Result<JSONValue, ConversionFailure> {
        switch (kind, value) {
        case (.string, .string), (.bool, .bool), (.list, .array), (.json, _), (.int, .int):
            return .success(value)
        case (.email, .string(let text)):
            return isEmailAddress(text) ? .success(value) : .failure("must be an email address")
        case (.int, .double(let number)) where number.rounded() == number && abs(number) < 9e15:
            return .success(.int(Int(number)))
        case (.float, .int(let number)):
            return .success(.double(Double(number)))
        case (.float, .double(let number)) where number.isFinite:
            return .success(value)
        case (.int, _): return .failure("must be an integer")
        case (.float, _): return .failure("must be a number")
        case (.bool, _): return .failure("must be true or false")
        case (.list, _): return .failure("must be a list")
        case (.string, _), (.email, _): return .failure("must be a string")
        }
    }

    private func check(_ value: JSONValue, against parameter: ParameterDeclaration) -> [String] {
        var broken: [String] = []
        let length: Int? = value.stringValue.map(\.count) ?? value.arrayValue?.count
        let unit = value.arrayValue == nil ? "characters" : "items"
        for rule in parameter.validations {
            switch rule {
            case .minLength(let minimum):
                if let length, length < minimum { broken.append("must have at least \(minimum) \(unit)") }
            case .maxLength(let maximum):
                if let length, length > maximum { broken.append("must have at most \(maximum) \(unit)") }
            case .min(let minimum):
                if let number = value.doubleValue, number < minimum {
                    broken.append("must be at least \(Self.format(minimum))")
                }
            case .max(let maximum):
                if let number = value.doubleValue, number > maximum {
                    broken.append("must be at most \(Self.format(maximum))")
                }
            case .oneOf(let allowed):
                if !allowed.contains(value) {
                    broken.append(
                        "must be one of "
                            + allowed.map { $0.stringValue ?? "\($0.intValue ?? 0)" }.joined(separator: ", "))
                }
            case .pattern(let expression):
                guard let text = value.stringValue else { continue }
                let whole = NSRange(text.startIndex..., in: text)
                let matches = patterns[parameter.name, default: []].allSatisfy { regex in
                    regex.firstMatch(in: text, options: [.anchored], range: whole).map { $0.range == whole } ?? false
                }
                if !matches { broken.append("must match \(expression)") }
            }
        }
        return broken
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    /// One `@`, something before it, a dotted domain after it, no spaces.
    static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, text.count <= 320, !text.contains(where: \.isWhitespace) else {
            return false
        }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }
}

private struct ConversionFailure: Error, ExpressibleByStringLiteral {
    var message: String
    init(stringLiteral value: String) { message = value }
}
