import Bifrost

/// The JSON Schema (OpenAPI 3.1) of workflow parameters, as the engine validates them: types, `format: email`,
/// defaults, descriptions, lengths, bounds, a pattern anchored to the whole value, and allowed values.
enum ParameterSchema {
    /// An object schema with one property per parameter and the required ones listed.
    static func object(_ parameters: [ParameterDeclaration]) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for parameter in parameters { properties[parameter.name] = schema(of: parameter) }
        var object: [String: JSONValue] = [
            "type": "object", "properties": .object(properties), "additionalProperties": false,
        ]
        let required = parameters.filter(\.isRequired).map { JSONValue.string($0.name) }
        if !required.isEmpty { object["required"] = .array(required) }
        return .object(object)
    }

    static func schema(of parameter: ParameterDeclaration) -> JSONValue {
        var schema: [String: JSONValue] = ["title": .string(parameter.displayLabel)]
        switch parameter.kind {
        case .string: schema["type"] = "string"
        case .email: schema["type"] = "string"; schema["format"] = "email"
        case .int: schema["type"] = "integer"
        case .float: schema["type"] = "number"
        case .bool: schema["type"] = "boolean"
        case .list:
            // Any JSON value per item; generators such as openapi-python-client refuse an array without `items`.
            schema["type"] = "array"
            schema["items"] = [:]
        case .json: break  // any JSON value
        }
        if let help = parameter.help { schema["description"] = .string(help) }
        if let value = parameter.defaultValue { schema["default"] = value }
        for rule in parameter.validations {
            switch rule {
            case .minLength(let count): schema[parameter.kind == .list ? "minItems" : "minLength"] = .int(count)
            case .maxLength(let count): schema[parameter.kind == .list ? "maxItems" : "maxLength"] = .int(count)
            case .pattern(let expression): schema["pattern"] = .string("^(?:\(expression))$")
            case .min(let bound): schema["minimum"] = number(bound)
            case .max(let bound): schema["maximum"] = number(bound)
            case .oneOf(let values): schema["enum"] = .array(values)
            }
        }
        return .object(schema)
    }

    private static func number(_ value: Double) -> JSONValue {
        value.rounded() == value && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
    }
}
