/// The declared type of a parameter, tied to the Swift type of the property it is declared on.
///
/// `@Param(.int) var count: Int` compiles; `@Param(.int) var count: String` does not: each kind exists only for
/// the Swift type it binds to (`string`/`email` → `String`, `int` → `Int`, `float` → `Double`, `bool` → `Bool`,
/// `json` → `JSONValue`, `list` → `[JSONValue]`).
public struct ParameterType<Value: Sendable>: Sendable {
    /// The kind as the API names it.
    public let kind: ParameterKind

    init(_ kind: ParameterKind) { self.kind = kind }
}

/// The parameter kinds of the `@param` decorator.
public enum ParameterKind: String, Sendable, Hashable, CaseIterable {
    /// Each kind, named as the API names it (the raw value).
    case string, int, float, bool, email, json, list
}

extension ParameterType where Value == String {
    /// Text.
    public static var string: Self { .init(.string) }
    /// An email address (checked: one `@`, a dot in the domain, no spaces).
    public static var email: Self { .init(.email) }
}

extension ParameterType where Value == Int {
    /// A whole number; `1.5` and `"1"` are refused.
    public static var int: Self { .init(.int) }
}

extension ParameterType where Value == Double {
    /// A number; integers are accepted.
    public static var float: Self { .init(.float) }
}

extension ParameterType where Value == Bool {
    /// `true` or `false`.
    public static var bool: Self { .init(.bool) }
}

extension ParameterType where Value == JSONValue {
    /// Any JSON value.
    public static var json: Self { .init(.json) }
}

extension ParameterType where Value == [JSONValue] {
    /// A JSON array.
    public static var list: Self { .init(.list) }
}
