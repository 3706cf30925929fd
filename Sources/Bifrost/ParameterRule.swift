/// A validation rule of the `@param` decorator, available only for the parameter types it applies to.
public struct ParameterRule<Value: Sendable>: Sendable {
    /// The rule in type-erased form, as the engine checks it and the API lists it.
    public let rule: ParameterValidation

    init(_ rule: ParameterValidation) { self.rule = rule }
}

/// A validation rule in type-erased form.
public enum ParameterValidation: Sendable, Hashable {
    /// Fewest characters of a string, or elements of a list.
    case minLength(Int)
    /// Most characters of a string, or elements of a list.
    case maxLength(Int)
    /// A regular expression the whole value must match.
    case pattern(String)
    /// Smallest number allowed.
    case min(Double)
    /// Largest number allowed.
    case max(Double)
    /// The allowed values.
    case oneOf([JSONValue])
}

extension ParameterRule where Value == String {
    /// Fewest characters.
    public static func minLength(_ length: Int) -> Self { .init(.minLength(length)) }
    /// Most characters.
    public static func maxLength(_ length: Int) -> Self { .init(.maxLength(length)) }
    /// A regular expression the whole value must match; checked to compile when the catalogue loads.
    public static func pattern(_ expression: String) -> Self { .init(.pattern(expression)) }
    /// The allowed values (the decorator's `enum`).
    public static func oneOf(_ values: [String]) -> Self { .init(.oneOf(values.map(JSONValue.string))) }
}

extension ParameterRule where Value == Int {
    /// Smallest value allowed.
    public static func min(_ bound: Int) -> Self { .init(.min(Double(bound))) }
    /// Largest value allowed.
    public static func max(_ bound: Int) -> Self { .init(.max(Double(bound))) }
    /// The allowed values.
    public static func oneOf(_ values: [Int]) -> Self { .init(.oneOf(values.map(JSONValue.int))) }
}

extension ParameterRule where Value == Double {
    /// Smallest value allowed.
    public static func min(_ bound: Double) -> Self { .init(.min(bound)) }
    /// Largest value allowed.
    public static func max(_ bound: Double) -> Self { .init(.max(bound)) }
}

extension ParameterRule where Value == [JSONValue] {
    /// Fewest elements.
    public static func minLength(_ count: Int) -> Self { .init(.minLength(count)) }
    /// Most elements.
    public static func maxLength(_ count: Int) -> Self { .init(.maxLength(count)) }
}
