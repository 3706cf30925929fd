import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import Testing

/// A Swift client generated (swift-openapi-generator) from the gateway's generated document calls an endpoint of
/// the real server; and the document it was generated from is the one the server gives today.
@Suite struct GeneratedClientTests {
    @Test func theCommittedDocumentIsTheOneTheBinaryGenerates() async throws {
        let committed = try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("openapi.json"))
        let process = try ServerProcess(arguments: ["openapi", "--with-workflows"], workingDirectory: FileManager.default.temporaryDirectory)
        #expect(await process.waitForExit(within: .seconds(30)) == 0)
        let current = try JSONSerialization.jsonObject(with: Data(process.output.utf8)) as? NSDictionary
        let saved = try JSONSerialization.jsonObject(with: committed) as? NSDictionary
        #expect(current != nil && current == saved, "run scripts/update-client-document: the document has changed")
    }

    @Test func theGeneratedClientCallsAnEndpointWithAnAPIKey() async throws {
        try await TestPostgres.withDatabase { url in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bifrost-client-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let port = try #require(LoopbackPort.free())
            let server = try ServerProcess(
                arguments: ["serve"], workingDirectory: folder,
                environment: [
                    "BIFROST_DATABASE_URL": url.urlStringWithPassword, "BIFROST_HTTP_PORT": "\(port)",
                    "BIFROST_DATA_DIRECTORY": folder.path,
                    "BIFROST_BOOTSTRAP_ADMIN_EMAIL": "client@msp.example", "BIFROST_BOOTSTRAP_ADMIN_PASSWORD": "client test password",
                ]
            )
            let base = "http://127.0.0.1:\(port)"
            #expect(await server.waitFor(url: "\(base)/health/ready", status: 200, within: .seconds(60)))
            let (_, login) = try await ServerProcess.postJSON("\(base)/auth/login", ["email": "client@msp.example", "password": "client test password"])
            let admin = ["Authorization": "Bearer \(try #require(login["access_token"] as? String))"]
            let (_, organization) = try await ServerProcess.send(.POST, "\(base)/api/organizations", json: ["name": "Contoso"], headers: admin)
            let organizationID = try #require(organization["id"] as? String)
            let (_, created) = try await ServerProcess.send(
                .POST, "\(base)/api/api-keys", json: ["name": "client", "role": "org_member"],
                headers: admin.merging(["X-Organization-Id": organizationID]) { $1 }
            )
            let key = try #require(created["key"] as? String)

            let client = Client(
                serverURL: try #require(URL(string: base)), transport: AsyncHTTPClientTransport(),
                middlewares: [APIKeyMiddleware(key: key)]
            )
            let answer = try await client.endpointQuickLookupPost(body: .json(.init(id: "42")))
            guard case .ok(let ok) = answer else {
                Issue.record("the endpoint answered \(answer)")
                return
            }
            let result = try ok.body.json
            #expect("\(result)".contains("result"))
            server.signal(SIGTERM)
            #expect(await server.waitForExit(within: .seconds(20)) == 0)
        }
    }
}

/// Adds the API key to every request of the generated client.
private struct APIKeyMiddleware: ClientMiddleware {
    let key: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[HTTPField.Name("X-Bifrost-Key")!] = key
        return try await next(request, body, baseURL)
    }
}
