/// Declares a workflow parameter on a property: `@Param(.email) var email: String`, or with rules and options
/// `@Param(.string, .minLength(3), .pattern("^[a-z_]+$"), label: "User name", help: "…") var username: String`.
///
/// The parameter's name is the property's name in snake_case. A non-optional property is required unless it
/// has a `default`; an optional property is never required and is `nil` when the caller leaves it out.
@propertyWrapper
public struct Param<Value: Codable & Sendable>: Sendable {
    private enum State: Sendable {
        case declared(ParameterDeclaration, fallback: Value?)
        case bound(Value)
    }

    private let state: State

    /// The declaration, while the instance is only a description (never after binding).
    public var declaration: ParameterDeclaration? {
        if case .declared(let declaration, _) = state { return declaration }
        return nil
    }

    /// The value the engine bound for this run, or the default while the instance is only a description.
    /// Reading a required parameter before binding stops the process.
    public var wrappedValue: Value {
        switch state {
        case .bound(let value): return value
        case .declared(let declaration, let fallback):
            guard let fallback else {
                preconditionFailure("Parameter \(declaration.name) was read before the engine bound it")
            }
            return fallback
        }
    }

    /// A required parameter (or one with a default).
    public init(
        _ type: ParameterType<Value>, _ rules: ParameterRule<Value>..., label: String? = nil,
        default defaultValue: Value? = nil, help: String? = nil, dataProvider: (any DataProvider.Type)? = nil
    ) {
        let declaration = ParameterDeclaration(
            name: "", kind: type.kind, label: label, isRequired: defaultValue == nil,
            defaultValue: defaultValue.map(JSONValue.init(encoding:)), help: help, validations: rules.map(\.rule),
            dataProvider: dataProvider?.configuration.name
        )
        state = .declared(declaration, fallback: defaultValue)
    }

    /// An optional parameter: `@Param(.string) var note: String?`.
    public init<Wrapped>(
        _ type: ParameterType<Wrapped>, _ rules: ParameterRule<Wrapped>..., label: String? = nil,
        default defaultValue: Wrapped? = nil, help: String? = nil, dataProvider: (any DataProvider.Type)? = nil
    ) where Value == Wrapped? {
        let declaration = ParameterDeclaration(
            name: "", kind: type.kind, label: label, isRequired: false,
            defaultValue: defaultValue.map(JSONValue.init(encoding:)), help: help, validations: rules.map(\.rule),
            dataProvider: dataProvider?.configuration.name
        )
        state = .declared(declaration, fallback: .some(defaultValue))
    }
}

extension Param: Decodable {
    /// Binds the value the engine validated (every declared parameter is present, `null` when absent).
    public init(from decoder: any Decoder) throws {
        state = .bound(try decoder.singleValueContainer().decode(Value.self))
    }
}

/// Lets the catalogue find parameter declarations on a workflow instance without knowing their value types.
public protocol ParameterDeclaring {
    /// The declaration, while the instance is only a description.
    var declaration: ParameterDeclaration? { get }
}

extension Param: ParameterDeclaring {}
