import BifrostGateway
import BifrostTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OpenAPIHummingbird
import Testing

/// The test contract's handler: echoes the greeting back.
private struct GreetingAPI: APIProtocol {
    func createGreeting(_ input: Operations.CreateGreeting.Input) async throws -> Operations.CreateGreeting.Output {
        guard case .json(let greeting) = input.body else { throw Problem.badRequest("unexpected body") }
        if greeting.name == "boom" { throw HandlerFault() }
        return .created(.init(body: .json(greeting)))
    }
}

private struct HandlerFault: Error {}

/// Generated OpenAPI handlers report bad input as `ServerError`s; the gateway must turn each into the right
/// problem, exactly as it will for every admin API route.
@Suite struct GeneratedHandlerErrorTests {
    private func send(
        _ body: String, contentType: String = "application/json",
        _ check: @escaping @Sendable (TestResponse) throws -> Void
    ) async throws {
        try await GatewayHarness.withGateway(addRoutes: { router in
            try? GreetingAPI().registerHandlers(on: router)
        }) { client, _ in
            try await client.execute(
                uri: "/test/greetings", method: .post, headers: [.contentType: contentType],
                body: ByteBuffer(string: body)
            ) { response in try check(response) }
        }
    }

    private static func problem(_ response: TestResponse) throws -> [String: Any] {
        #expect(response.headers[.contentType] == "application/problem+json")
        let object = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
        return try #require(object as? [String: Any])
    }

    @Test func validBodyReachesTheHandler() async throws {
        try await send("{\"name\": \"Ada\", \"count\": 2}") { response in
            #expect(response.status == .created)
            #expect(String(buffer: response.body).contains("Ada"))
        }
    }

    @Test func malformedJSONIs400() async throws {
        try await send("{\"name\": ") { response in
            #expect(response.status == .badRequest)
            let body = try Self.problem(response)
            #expect(body["type"] as? String == "urn:bifrost:problem:malformed-json")
        }
    }

    @Test func wrongContentTypeIs415() async throws {
        try await send("name=Ada", contentType: "application/x-www-form-urlencoded") { response in
            #expect(response.status == .unsupportedMediaType)
            let body = try Self.problem(response)
            #expect(body["type"] as? String == "urn:bifrost:problem:unsupported-media-type")
        }
    }

    @Test func missingFieldIs422NamingIt() async throws {
        try await send("{\"name\": \"Ada\"}") { response in
            #expect(response.status == .unprocessableContent)
            let errors = try Self.problem(response)["errors"] as? [[String: String]]
            #expect(errors == [["field": "count", "message": "is required"]])
        }
    }

    @Test func valueOutsideTheEnumIs422NamingIt() async throws {
        try await send("{\"name\": \"Ada\", \"count\": 1, \"mood\": \"angry\"}") { response in
            #expect(response.status == .unprocessableContent)
            let errors = try Self.problem(response)["errors"] as? [[String: String]]
            #expect(errors?.first?["field"] == "mood")
        }
    }

    @Test func aServerFaultIsLoggedWithoutTheRequestsHeaders() async throws {
        let capture = LogCapture()
        try await GatewayHarness.withGateway(
            logger: capture.logger(),
            addRoutes: { router in
                try? GreetingAPI().registerHandlers(on: router)
            }
        ) { client, _ in
            let status = try await client.execute(
                uri: "/test/greetings", method: .post,
                headers: [.contentType: "application/json", .cookie: "session=never-log-this-cookie"],
                body: ByteBuffer(string: "{\"name\": \"boom\", \"count\": 1}")
            ) { $0.status }
            #expect(status == .internalServerError)
        }
        let failures = capture.all.filter { $0.message == "Request failed" }
        #expect(failures.count == 1)
        #expect(failures.first?.metadata["error.message"]?.contains("HandlerFault") == true)
        #expect(!capture.all.contains { "\($0.message) \($0.metadata)".contains("never-log-this-cookie") })
    }
}
