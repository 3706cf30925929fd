/// Everything declared about one parameter, in type-erased form: what the catalogue lists and the engine checks.
public struct ParameterDeclaration: Sendable, Hashable {
    /// The property's name in snake_case; set by the catalogue from the property.
    public internal(set) var name: String
    /// The declared type.
    public var kind: ParameterKind
    /// Shown next to the input; the title-cased name unless given.
    public var label: String?
    /// Whether the caller must give a value: a non-optional property without a default.
    public var isRequired: Bool
    /// The value used when the caller gives none (or `null`).
    public var defaultValue: JSONValue?
    /// A longer explanation shown with the input.
    public var help: String?
    /// The rules a given value must meet.
    public var validations: [ParameterValidation]
    /// Name of the data provider offering the values.
    public var dataProvider: String?

    /// The label to show: the given one, or the name in title case (`first_name` → "First Name").
    public var displayLabel: String {
        label ?? name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    /// A copy named after its property (`firstName` or `_firstName` → `first_name`).
    public func named(fromProperty property: String) -> Self {
        var copy = self
        var name = ""
        for character in property.drop(while: { $0 == "_" }) {
            if character.isUppercase {
                if !name.isEmpty { name.append("_") }
                name.append(contentsOf: character.lowercased())
            } else {
                name.append(character)
            }
        }
        copy.name = name
        return copy
    }
}
