import Foundation
import Yams

/// Which roles may call which operations, from `Policies/*.yaml`; everything not granted is denied.
public struct AccessPolicy: Sendable {
    /// What the policy says about one call.
    public enum Decision: Sendable, Equatable {
        case allow
        /// The operation needs credentials and the request has none.
        case unauthenticated
        /// The caller's role is not granted the operation.
        case forbidden
    }

    /// A policy file that cannot be used; start-up stops with this message.
    public struct Invalid: Error, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    public private(set) var publicOperations: Set<String> = []
    /// Operations granted per role; `*` grants all.
    public private(set) var grants: [String: Set<String>] = [:]

    /// Parses policy files and checks every name against the contract's operationIds.
    /// - Throws: `Invalid` with the file and line of the first unknown operation or malformed entry.
    public init(files: [(name: String, text: String)], knownOperations: Set<String>) throws {
        for file in files {
            guard let root = try Yams.compose(yaml: file.text), let mapping = root.mapping else {
                throw Invalid(file: file.name, line: 1, message: "expected a mapping with `public` and `roles`")
            }
            for (key, value) in mapping {
                switch key.string {
                case "public":
                    publicOperations.formUnion(try Self.operations(value, file: file.name, known: knownOperations))
                case "roles":
                    guard let roles = value.mapping else {
                        throw Invalid(
                            file: file.name, line: Self.line(value), message: "`roles` must map role names to lists")
                    }
                    for (role, list) in roles {
                        guard let name = role.string, !name.isEmpty else {
                            throw Invalid(file: file.name, line: Self.line(role), message: "a role needs a name")
                        }
                        grants[name, default: []].formUnion(
                            try Self.operations(list, file: file.name, known: knownOperations))
                    }
                default:
                    throw Invalid(file: file.name, line: Self.line(key), message: "unknown key `\(key.string ?? "?")`")
                }
            }
        }
    }

    /// The decision for a call of `operationID` by a caller with `role` (nil when anonymous).
    public func decide(operationID: String, role: String?) -> Decision {
        if publicOperations.contains(operationID) { return .allow }
        guard let role else { return .unauthenticated }
        let granted = grants[role] ?? []
        return granted.contains(operationID) || granted.contains("*") ? .allow : .forbidden
    }

    /// The operationIds of an OpenAPI document.
    public static func operationIDs(in document: String) throws -> Set<String> {
        guard let root = try Yams.load(yaml: document) as? [String: Any],
            let paths = root["paths"] as? [String: [String: Any]]
        else { return [] }
        var ids: Set<String> = []
        for item in paths.values {
            for operation in item.values {
                if let id = (operation as? [String: Any])?["operationId"] as? String { ids.insert(id) }
            }
        }
        return ids
    }

    private static func operations(_ node: Node, file: String, known: Set<String>) throws -> Set<String> {
        guard let sequence = node.sequence else {
            throw Invalid(file: file, line: line(node), message: "expected a list of operationIds")
        }
        var result: Set<String> = []
        for item in sequence {
            guard let id = item.string else {
                throw Invalid(file: file, line: line(item), message: "expected an operationId")
            }
            guard id == "*" || known.contains(id) else {
                throw Invalid(file: file, line: line(item), message: "`\(id)` is not an operationId of openapi.yaml")
            }
            result.insert(id)
        }
        return result
    }

    private static func line(_ node: Node) -> Int { node.mark?.line ?? 1 }
}
