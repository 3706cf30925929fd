import BifrostGateway
import Foundation
import Testing
import Yams

/// Checks `openapi.yaml` beyond what the generator needs: a valid OpenAPI 3.1 document in our conventions.
@Suite struct ContractTests {
    private func document() throws -> [String: Any] {
        try #require(try Yams.load(yaml: Contract.openAPIDocument()) as? [String: Any])
    }

    @Test func isOpenAPI31WithInfoAndPaths() throws {
        let document = try document()
        #expect((document["openapi"] as? String)?.hasPrefix("3.1.") == true)
        let info = try #require(document["info"] as? [String: Any])
        #expect(info["title"] is String)
        #expect(info["version"] is String)
        #expect((document["paths"] as? [String: Any])?.isEmpty == false)
    }

    @Test func everyOperationHasAUniqueOperationIDAndResponses() throws {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        var seen: Set<String> = []
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        for (path, item) in paths {
            #expect(path.hasPrefix("/"))
            for (method, value) in item where methods.contains(method) {
                let operation = try #require(value as? [String: Any])
                let id = try #require(operation["operationId"] as? String, "\(method) \(path) lacks an operationId")
                #expect(seen.insert(id).inserted, "operationId \(id) is used twice")
                #expect((operation["responses"] as? [String: Any])?.isEmpty == false)
            }
        }
    }

    @Test func everyReferenceResolves() throws {
        let document = try document()
        var references: [String] = []
        func collect(_ node: Any) {
            if let object = node as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(collect)
            } else if let array = node as? [Any] {
                array.forEach(collect)
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        for reference in references {
            #expect(reference.hasPrefix("#/"), "external reference \(reference)")
            var node: Any? = document
            for part in reference.dropFirst(2).split(separator: "/") {
                node = (node as? [String: Any])?[String(part)]
            }
            #expect(node != nil, "\(reference) does not resolve")
        }
    }

    @Test func shippedDocumentIsTheRepositoryFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        #expect(Contract.openAPIDocument() == file)
    }
}
