import BifrostGateway
import BifrostRuntime
import Configuration
import HTTPTypes
import HummingbirdTesting
import Testing

/// CORS: only configured origins get answers a browser will hand to the page.
@Suite struct CORSTests {
    @Test func onlyConfiguredOriginsArePreflightedAndAllowed() async throws {
        var configuration = GatewayConfiguration()
        configuration.http.corsOrigins = ["https://admin.example.com"]
        try await GatewayHarness.withGatewayAndDatabase(configuration: configuration) { client, _ in
            let preflight: HTTPFields = [
                .origin: "https://admin.example.com", .accessControlRequestMethod: "POST",
                .accessControlRequestHeaders: "authorization, content-type",
            ]
            try await client.execute(uri: "/api/workflows/quick_lookup/execute", method: .options, headers: preflight) {
                response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "https://admin.example.com")
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
                #expect(response.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            }
            try await client.execute(uri: "/health/live", method: .get, headers: [.origin: "https://admin.example.com"])
            { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "https://admin.example.com")
                #expect(response.headers[.vary] == "Origin")
            }
            // Another origin: no CORS headers, and no preflight answer.
            try await client.execute(uri: "/health/live", method: .get, headers: [.origin: "https://evil.example"]) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            var foreign = preflight
            foreign[.origin] = "https://evil.example"
            try await client.execute(uri: "/api/workflows/quick_lookup/execute", method: .options, headers: foreign) {
                response in
                #expect(response.status != .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
        // None by default.
        try await GatewayHarness.withGatewayAndDatabase { client, _ in
            try await client.execute(uri: "/health/live", method: .get, headers: [.origin: "https://admin.example.com"])
            { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func originsMustBeOrigins() async throws {
        for bad in ["admin.example.com", "https://admin.example.com/path", "ftp://x.example"] {
            let reader = try await ConfigurationSources.reader(
                arguments: [], environment: ["BIFROST_HTTP_CORS_ORIGINS": bad])
            #expect(throws: ConfigurationError.self) { _ = try GatewayConfiguration(reader: reader) }
        }
        let reader = try await ConfigurationSources.reader(
            arguments: [], environment: ["BIFROST_HTTP_CORS_ORIGINS": "https://a.example, http://localhost:3000"]
        )
        #expect(
            try GatewayConfiguration(reader: reader).http.corsOrigins == ["https://a.example", "http://localhost:3000"])
    }
}
