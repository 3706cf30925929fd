import Bifrost
import BifrostEngine
import BifrostGateway
import ExampleWorkflows
import Foundation
import HTTPTypes
import Testing

/// The generated OpenAPI document: valid OpenAPI 3.1, schemas from the parameters, filtered by what the caller may
/// run, and stable.
@Suite struct GeneratedDocumentTests {
    @Test func theDocumentIsValidAndDescribesEachWorkflowFromItsParameters() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let (status, body) = try await world.adminA(.get, "/api/openapi.json")
            #expect(status == .ok)
            let document = try #require(body as? [String: Any])
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(paths["/api/endpoints/quick_lookup"] != nil)
            #expect(paths["/api/workflows/create_user/execute"] != nil)
            #expect(paths["/api/users"] != nil)  // the admin contract is part of it
            let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let createUser = try #require(schemas["Workflow_create_user_Input"] as? [String: Any])
            let properties = try #require(createUser["properties"] as? [String: [String: Any]])
            #expect(properties["email"]?["format"] as? String == "email")
            #expect(Set(createUser["required"] as? [String] ?? []).isSuperset(of: ["email"]))
            #expect(try Self.validate(JSONSerialization.data(withJSONObject: document)) == "valid")

            // A key allowed to run one workflow sees only that one.
            let created = try await world.adminA(
                .post, "/api/api-keys", ["name": "narrow", "role": "org_member", "workflows": ["quick_lookup"]])
            let key = try #require((created.json as? [String: Any])?["key"] as? String)
            let narrow = try await context.client.execute(
                uri: "/api/openapi.json", method: .get, headers: [HTTPField.Name("X-Bifrost-Key")!: key]
            ) { try JSONSerialization.jsonObject(with: Data(String(buffer: $0.body).utf8)) as? [String: Any] }
            let narrowPaths = try #require(narrow?["paths"] as? [String: Any]).keys
            let perWorkflow = narrowPaths.filter { !$0.contains("{") }
            #expect(perWorkflow.filter { $0.hasPrefix("/api/endpoints/") } == ["/api/endpoints/quick_lookup"])
            #expect(perWorkflow.filter { $0.hasSuffix("/execute") } == ["/api/workflows/quick_lookup/execute"])
        }
    }

    @Test func theDocumentChangesWithAWorkflowAndOnlyThen() throws {
        let catalogue = try WorkflowCatalogue(
            workflows: ExampleWorkflows.workflows, dataProviders: ExampleWorkflows.dataProviders)
        let first = try Contract.generatedDocument(for: catalogue)
        #expect(try Contract.generatedDocument(for: catalogue) == first)
        let more = try WorkflowCatalogue(
            workflows: ExampleWorkflows.workflows + [ExtraWorkflow.self], dataProviders: ExampleWorkflows.dataProviders
        )
        let second = try Contract.generatedDocument(for: more)
        #expect(second != first)
        // Removing the new workflow's own parts gives the first document back.
        var document = try #require(try JSONSerialization.jsonObject(with: Data(second.utf8)) as? [String: Any])
        var paths = try #require(document["paths"] as? [String: Any])
        paths["/api/workflows/extra_report/execute"] = nil
        paths["/api/endpoints/extra_report"] = nil
        document["paths"] = paths
        var components = try #require(document["components"] as? [String: Any])
        var schemas = try #require(components["schemas"] as? [String: Any])
        schemas["Workflow_extra_report_Input"] = nil
        components["schemas"] = schemas
        document["components"] = components
        let original = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        #expect(NSDictionary(dictionary: document).isEqual(to: original ?? [:]))
        let full = try #require(try JSONSerialization.jsonObject(with: Data(second.utf8)) as? [String: Any])
        let extra =
            ((full["components"] as? [String: Any])?["schemas"] as? [String: Any])?["Workflow_extra_report_Input"]
            as? [String: Any]
        let days = (extra?["properties"] as? [String: [String: Any]])?["days"]
        #expect(days?["minimum"] as? Int == 1)
        #expect(days?["maximum"] as? Int == 31)
        #expect(days?["default"] as? Int == 7)
        #expect(days?["type"] as? String == "integer")
        let format = (extra?["properties"] as? [String: [String: Any]])?["format"]
        #expect(format?["enum"] as? [String] == ["csv", "json"])
    }

    /// Runs openapi-spec-validator (PyPI, installed by scripts/install-dependencies) on a document.
    static func validate(_ document: Data) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(sys.stdin))\nprint('valid')",
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(document)
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A workflow added to the catalogue, to see the document change.
private struct ExtraWorkflow: Workflow {
    static let configuration = WorkflowConfiguration("extra_report", description: "An extra report", endpoint: .post)

    @Param(.int, .min(1), .max(31), default: 7) var days: Int
    @Param(.string, .oneOf(["csv", "json"]), default: "csv") var format: String

    func run(_ context: ExecutionContext) async throws -> JSONValue { ["days": .int(days)] }
}
