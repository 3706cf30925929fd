import BifrostGateway
import BifrostRuntime
import BifrostTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A body a test route decodes, to exercise the gateway's JSON error handling.
private struct Greeting: Decodable {
    var name: String
    var count: Int
}

@Suite struct HTTPBasicsTests {
    private func problem(_ response: TestResponse) throws -> [String: Any] {
        #expect(response.headers[.contentType] == "application/problem+json")
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        return try #require(object as? [String: Any])
    }

    @Test func everyResponseCarriesARequestIDAndASaneOneIsEchoed() async throws {
        try await GatewayHarness.withGateway { client, _ in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.requestID]?.count == 32)
            }
            try await client.execute(uri: "/health/live", method: .get, headers: [.requestID: "trace-42.a:b"]) {
                response in
                #expect(response.headers[.requestID] == "trace-42.a:b")
            }
            try await client.execute(uri: "/health/live", method: .get, headers: [.requestID: "bad id\u{7}<script>"]) {
                response in
                #expect(response.headers[.requestID] != "bad id\u{7}<script>")
                #expect(response.headers[.requestID]?.count == 32)
            }
            try await client.execute(uri: "/nowhere", method: .get, headers: [.requestID: "r-404"]) { response in
                #expect(response.headers[.requestID] == "r-404")
                let problemBody = try problem(response)
                #expect(problemBody["request_id"] as? String == "r-404")
            }
        }
    }

    @Test func unknownRouteIsProblemJSON404() async throws {
        try await GatewayHarness.withGateway { client, _ in
            try await client.execute(uri: "/api/no-such-thing", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try problem(response)
                #expect(body["type"] as? String == "urn:bifrost:problem:not-found")
                #expect(body["status"] as? Int == 404)
            }
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        try await GatewayHarness.withGateway { client, _ in
            try await client.execute(uri: "/health/live", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
                let problemBody = try problem(response)
                #expect(problemBody["type"] as? String == "urn:bifrost:problem:method-not-allowed")
            }
        }
    }

    @Test func bodyOverTheConfiguredLimitIs413() async throws {
        var configuration = GatewayConfiguration()
        configuration.http.maxBodySize = 64
        try await GatewayHarness.withGateway(configuration: configuration, addRoutes: Self.addGreetingRoute) {
            client, _ in
            let big = ByteBuffer(string: "{\"name\": \"" + String(repeating: "x", count: 200) + "\", \"count\": 1}")
            try await client.execute(
                uri: "/test/greet", method: .post, headers: [.contentType: "application/json"], body: big
            ) { response in
                #expect(response.status == .contentTooLarge)
                let problemBody = try problem(response)
                #expect(problemBody["detail"] as? String == "The request body is larger than the limit of 64 bytes.")
            }
            let small = ByteBuffer(string: "{\"name\": \"x\", \"count\": 1}")
            try await client.execute(
                uri: "/test/greet", method: .post, headers: [.contentType: "application/json"], body: small
            ) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func malformedJSONIs400SayingWhatIsWrong() async throws {
        try await GatewayHarness.withGateway(addRoutes: Self.addGreetingRoute) { client, _ in
            let body = ByteBuffer(string: "{\"name\": \"x\",, }")
            try await client.execute(
                uri: "/test/greet", method: .post, headers: [.contentType: "application/json"], body: body
            ) { response in
                #expect(response.status == .badRequest)
                let problem = try problem(response)
                #expect(problem["type"] as? String == "urn:bifrost:problem:malformed-json")
                #expect((problem["detail"] as? String)?.contains("not valid JSON") == true)
            }
        }
    }

    @Test func wrongShapeIs422NamingEachField() async throws {
        try await GatewayHarness.withGateway(addRoutes: Self.addGreetingRoute) { client, _ in
            let missing = ByteBuffer(string: "{\"name\": \"x\"}")
            try await client.execute(
                uri: "/test/greet", method: .post, headers: [.contentType: "application/json"], body: missing
            ) { response in
                #expect(response.status == .unprocessableContent)
                let errors = try #require(try problem(response)["errors"] as? [[String: String]])
                #expect(errors == [["field": "count", "message": "is required"]])
            }
            let wrongType = ByteBuffer(string: "{\"name\": \"x\", \"count\": \"three\"}")
            try await client.execute(
                uri: "/test/greet", method: .post, headers: [.contentType: "application/json"], body: wrongType
            ) { response in
                #expect(response.status == .unprocessableContent)
                let errors = try #require(try problem(response)["errors"] as? [[String: String]])
                #expect(errors == [["field": "count", "message": "must be an integer"]])
            }
        }
    }

    @Test func serverFaultIs500WithoutInternalsAndItsLogLineCarriesTheRequestID() async throws {
        let capture = LogCapture()
        try await GatewayHarness.withGateway(
            logger: capture.logger(),
            addRoutes: { router in
                router.get("/test/explode") { _, _ -> String in
                    throw InternalFailure(secret: "table users_secret_column broke")
                }
            }
        ) { client, _ in
            try await client.execute(uri: "/test/explode", method: .get, headers: [.requestID: "req-explode"]) {
                response in
                #expect(response.status == .internalServerError)
                let text = String(buffer: response.body)
                #expect(!text.contains("users_secret_column"))
                #expect(!text.contains("InternalFailure"))
                let problemBody = try problem(response)
                #expect(problemBody["type"] as? String == "urn:bifrost:problem:internal")
            }
        }
        let failure = try #require(capture.all.first { $0.message == "Request failed" })
        #expect(failure.level == .error)
        #expect(failure.metadata["hb.request.id"] == "req-explode")
        #expect(failure.metadata["error.message"]?.contains("users_secret_column") == true)
    }

    @Test func metricsCountRequestsByRouteTemplateAndStatus() async throws {
        try await GatewayHarness.withGateway { client, _ in
            for _ in 0..<3 { try await client.execute(uri: "/health/live", method: .get) { _ in } }
            try await client.execute(uri: "/nowhere/else", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains("http_requests_total{route=\"/health/live\",method=\"GET\",status=\"200\"} 3"))
                #expect(text.contains("http_requests_total{route=\"NotFound\",method=\"GET\",status=\"404\"} 1"))
                #expect(text.contains("http_request_duration_seconds_bucket"))
            }
        }
    }

    private struct InternalFailure: Error { var secret: String }

    @Sendable private static func addGreetingRoute(_ router: Router<GatewayRequestContext>) {
        // Decodes the way generated handlers do: a plain JSONDecoder whose errors reach the gateway untouched.
        router.post("/test/greet") { request, context -> String in
            let body = try await request.body.collect(upTo: .max)
            let greeting = try JSONDecoder().decode(Greeting.self, from: Data(buffer: body))
            return "hello \(greeting.name) x\(greeting.count)"
        }
    }
}
