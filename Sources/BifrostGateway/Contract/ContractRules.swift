import Bifrost
import Foundation
import Yams

/// What `openapi.yaml` declares about each operation's input, compiled once at start-up: the schema of every
/// query and path parameter and of the JSON request body, for `ContractValidation` to enforce.
struct ContractRules: Sendable {
    /// The declared input of one operation.
    struct Operation: Sendable {
        var query: [String: ContractSchema] = [:]
        var path: [String: ContractSchema] = [:]
        /// The schema of an `application/json` request body, when the operation takes one.
        var body: ContractSchema?
    }

    /// A document whose schemas cannot be compiled: a programming error, found at start-up.
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    private(set) var operations: [String: Operation] = [:]

    /// The rules of the admin API contract built into this binary.
    static func builtIn() throws -> ContractRules {
        try ContractRules(document: Contract.openAPIDocument())
    }

    /// Compiles the operations of an OpenAPI 3 document.
    /// - Throws: `Invalid` for a `$ref` that leads nowhere, a reference cycle or a pattern that does not compile.
    init(document: String) throws {
        guard let root = try Yams.load(yaml: document) as? [String: Any] else {
            throw Invalid(description: "the document is not a mapping")
        }
        let compiler = SchemaCompiler(root: root)
        let paths = root["paths"] as? [String: Any] ?? [:]
        for item in paths.values {
            guard let item = item as? [String: Any] else { continue }
            let shared = item["parameters"] as? [Any] ?? []
            for (method, value) in item where Self.methods.contains(method) {
                guard let operation = value as? [String: Any], let id = operation["operationId"] as? String else {
                    continue
                }
                var rules = Operation()
                for entry in shared + (operation["parameters"] as? [Any] ?? []) {
                    let parameter = try compiler.resolve(entry)
                    guard let name = parameter["name"] as? String, let location = parameter["in"] as? String else {
                        continue
                    }
                    let schema = try compiler.compile(parameter["schema"] ?? [String: Any]())
                    switch location {
                    case "query": rules.query[name] = schema
                    case "path": rules.path[name] = schema
                    default: break
                    }
                }
                if let requestBody = operation["requestBody"] {
                    let body = try compiler.resolve(requestBody)
                    let json = (body["content"] as? [String: Any])?["application/json"] as? [String: Any]
                    if let schema = json?["schema"] { rules.body = try compiler.compile(schema) }
                }
                operations[id] = rules
            }
        }
    }

    private static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
}

/// Turns schema mappings (with `$ref`s into `components`) into `ContractSchema`s.
private struct SchemaCompiler {
    let root: [String: Any]

    /// The mapping `node` is, or refers to.
    func resolve(_ node: Any, depth: Int = 0) throws -> [String: Any] {
        guard let mapping = node as? [String: Any] else {
            throw ContractRules.Invalid(description: "expected a mapping")
        }
        guard let reference = mapping["$ref"] as? String else { return mapping }
        guard depth < 32 else { throw ContractRules.Invalid(description: "\(reference): references too deep") }
        guard reference.hasPrefix("#/") else { throw ContractRules.Invalid(description: "\(reference): not local") }
        var target: Any = root
        for part in reference.dropFirst(2).split(separator: "/") {
            guard let next = (target as? [String: Any])?[String(part)] else {
                throw ContractRules.Invalid(description: "\(reference) leads nowhere")
            }
            target = next
        }
        return try resolve(target, depth: depth + 1)
    }

    func compile(_ node: Any, depth: Int = 0) throws -> ContractSchema {
        guard depth < 32 else { throw ContractRules.Invalid(description: "schemas nested too deep") }
        let mapping = try resolve(node)
        var schema = ContractSchema()
        schema.minimum = Self.number(mapping["minimum"])
        schema.maximum = Self.number(mapping["maximum"])
        schema.minLength = mapping["minLength"] as? Int
        schema.maxLength = mapping["maxLength"] as? Int
        schema.minItems = mapping["minItems"] as? Int
        schema.maxItems = mapping["maxItems"] as? Int
        switch mapping["type"] as? String {
        case "integer": schema.numberKind = .integer
        case "number": schema.numberKind = .number
        default: break
        }
        if let pattern = mapping["pattern"] as? String {
            do {
                schema.pattern = (pattern, try NSRegularExpression(pattern: pattern))
            } catch {
                throw ContractRules.Invalid(description: "pattern \(pattern) does not compile")
            }
        }
        for (name, property) in mapping["properties"] as? [String: Any] ?? [:] {
            schema.properties[name] = try compile(property, depth: depth + 1)
        }
        if let items = mapping["items"] {
            schema.items = .init(try compile(items, depth: depth + 1))
        }
        if let additional = mapping["additionalProperties"], !(additional is Bool) {
            schema.additionalProperties = .init(try compile(additional, depth: depth + 1))
        }
        return schema
    }

    private static func number(_ value: Any?) -> Double? {
        switch value {
        case let int as Int: Double(int)
        case let double as Double: double
        default: nil
        }
    }
}
