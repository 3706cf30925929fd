import BifrostTestSupport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import Testing

/// A Swift client generated (swift-openapi-generator) from the gateway's generated document calls an endpoint of
/// the real server; and the document it was generated from is the one the server gives today.
@Suite struct GeneratedClientTests {
    @Test func theCommittedDocumentIsTheOneTheBinaryGenerates() async throws {
        let committed = try Data(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "openapi.json"))
        // Written to a file, not read from the output pipe: a server another test starts meanwhile can inherit the
        // pipe and hold its end of output back.
        let file = FileManager.default.temporaryDirectory.appending(path: "openapi-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let process = try ServerProcess(
            arguments: [
                "-c", #"exec "$0" openapi --with-workflows > "$1""#, try ServerProcess.binaryPath(), file.path,
            ],
            workingDirectory: FileManager.default.temporaryDirectory, executable: "/bin/sh")
        #expect(await process.waitForExit(within: .seconds(30)) == 0)
        let current = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? NSDictionary
        let saved = try JSONSerialization.jsonObject(with: committed) as? NSDictionary
        #expect(current != nil && current == saved, "run scripts/update-client-document: the document has changed")
    }

    @Test func theGeneratedClientCallsAnEndpointWithAnAPIKey() async throws {
        try await RunningGateway.with { gateway, _ in
            let base = gateway.baseURL
            let admin = gateway.adminHeaders
            let (_, organization) = try await ServerProcess.send(
                .POST, "\(base)/api/organizations", json: ["name": "Contoso"], headers: admin)
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
