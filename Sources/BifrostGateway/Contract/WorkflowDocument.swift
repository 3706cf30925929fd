import Bifrost
import BifrostEngine
import Foundation
import Yams

/// The generated OpenAPI document: the admin API contract (`openapi.yaml`) plus one operation per workflow's
/// execute route and per endpoint method, each with a request schema built from the workflow's parameters
/// (`ParameterSchema`). Keys are sorted when it is written, so it changes when a workflow changes and only then.
enum WorkflowDocument {
    /// The contract, parsed once.
    static let contract: JSONValue = {
        guard let parsed = try? Yams.load(yaml: Contract.openAPIDocument()), let value = jsonValue(parsed) else {
            preconditionFailure("openapi.yaml does not parse")
        }
        return value
    }()

    /// The document for the workflows `isVisible` admits (those the caller may run).
    static func build(_ workflows: [WorkflowEntry], isVisible: (WorkflowEntry) -> Bool) -> JSONValue {
        guard case .object(var document) = contract else { return contract }
        var paths = document["paths"]?.objectValue ?? [:]
        var components = document["components"]?.objectValue ?? [:]
        var schemas = components["schemas"]?.objectValue ?? [:]
        for entry in workflows where isVisible(entry) {
            let name = entry.configuration.name
            let inputSchema = "Workflow_\(name)_Input"
            schemas[inputSchema] = ParameterSchema.object(entry.parameters)
            let reference: JSONValue = ["$ref": .string("#/components/schemas/\(inputSchema)")]
            paths["/api/workflows/\(name)/execute"] = ["post": execute(entry, input: reference)]
            if let methods = entry.configuration.endpointMethods {
                var operations: [String: JSONValue] = [:]
                for method in methods.sorted() {
                    operations[method.rawValue.lowercased()] = endpoint(entry, method: method, input: reference)
                }
                paths["/api/endpoints/\(name)"] = .object(operations)
            }
        }
        schemas["EndpointResult"] = ["description": "The workflow's result, as it returned it."]
        components["schemas"] = .object(schemas)
        document["components"] = .object(components)
        document["paths"] = .object(paths)
        return .object(document)
    }

    private static func execute(_ entry: WorkflowEntry, input: JSONValue) -> JSONValue {
        let configuration = entry.configuration
        return [
            "operationId": .string("execute_\(configuration.name)"),
            "tags": ["Workflow runs"],
            "summary": .string(configuration.description),
            "requestBody": [
                "required": true,
                "content": [
                    "application/json": [
                        "schema": [
                            "type": "object", "required": ["input"], "additionalProperties": false,
                            "properties": ["input": input, "mode": ["type": "string", "enum": ["sync", "async"]]],
                        ]
                    ]
                ],
            ],
            "responses": [
                "200": response("The finished run.", schema: "ExecutionResult"),
                "202": response("The run is queued.", schema: "ExecutionAccepted"),
                "400": problem, "404": problem, "409": problem, "422": problem, "429": problem,
            ],
        ]
    }

    private static func endpoint(_ entry: WorkflowEntry, method: WorkflowConfiguration.HTTPMethod, input: JSONValue)
        -> JSONValue
    {
        let name = entry.configuration.name
        var operation: [String: JSONValue] = [
            "operationId": .string("endpoint_\(name)_\(method.rawValue.lowercased())"),
            "tags": ["Endpoints"],
            "summary": .string(entry.configuration.description),
            "description": "Called with an API key (`X-Bifrost-Key`) or a Standard Webhooks signature.",
            "security": [["apiKey": []], [:]],
            "responses": [
                "200": response("The run's result.", schema: "EndpointResult"),
                "202": response("The run is queued.", schema: "ExecutionAccepted"),
                "400": problem, "401": problem, "403": problem, "404": problem, "405": problem, "415": problem,
                "422": problem, "429": problem, "504": problem,
            ],
        ]
        if method == .get || method == .delete {
            operation["parameters"] = .array(
                entry.parameters.map { parameter in
                    [
                        "name": .string(parameter.name), "in": "query", "required": .bool(parameter.isRequired),
                        "schema": ParameterSchema.schema(of: parameter),
                    ]
                })
        } else {
            operation["requestBody"] = [
                "required": .bool(entry.parameters.contains(where: \.isRequired)),
                "content": ["application/json": ["schema": input]],
            ]
        }
        return .object(operation)
    }

    private static func response(_ description: String, schema: String) -> JSONValue {
        [
            "description": .string(description),
            "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]],
        ]
    }

    private static let problem: JSONValue = ["$ref": "#/components/responses/Problem"]

    /// A YAML-parsed value as JSON (keys as text; dates and other scalars as text).
    private static func jsonValue(_ value: Any) -> JSONValue? {
        switch value {
        case let text as String: return .string(text)
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .int(number)
        case let number as Double: return .double(number)
        case let list as [Any]: return .array(list.compactMap(jsonValue))
        case let map as [String: Any]: return .object(map.compactMapValues(jsonValue))
        case let map as [AnyHashable: Any]:
            return .object(
                Dictionary(map.compactMap { key, value in jsonValue(value).map { ("\(key)", $0) } }) { a, _ in a })
        case is NSNull: return .null
        default: return .string("\(value)")
        }
    }
}
