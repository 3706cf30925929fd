import Bifrost
import BifrostGateway
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

/// Endpoint-enabled workflows called with API keys and with Standard Webhooks signatures.
@Suite struct EndpointTests {
    private static func key(
        _ caller: AdminAPITestClient, _ body: [String: Any] = ["name": "sync", "role": "org_member"]
    )
        async throws -> String
    {
        let created = try await caller(.post, "/api/api-keys", body)
        return try #require((created.json as? [String: Any])?["key"] as? String)
    }

    /// Calls an endpoint: status, the JSON answer, and the execution id header.
    private static func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:],
        body: String? = nil
    ) async throws -> (status: HTTPResponse.Status, json: Any?, execution: String?, headers: HTTPFields) {
        try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        {
            response in
            let text = String(buffer: response.body)
            return (
                response.status, try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed),
                response.headers[HTTPField.Name("X-Bifrost-Execution-Id")!], response.headers
            )
        }
    }

    @Test func apiKeysCallEndpointsWithQueryAndBodyInput() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let key = try await Self.key(world.adminA)
            var headers: HTTPFields = [HTTPField.Name("X-Bifrost-Key")!: key, .contentType: "application/json"]
            // Query parameters, converted to the parameter's type; the run is recorded in the key's organisation.
            let byQuery = try await Self.call(
                context.client, .post, "/api/endpoints/quick_lookup?id=42", headers: headers)
            #expect(byQuery.status == .ok)
            #expect((byQuery.json as? [String: Any])?["result"] as? String != nil)
            let execution = try #require(byQuery.execution)
            let recorded = try await world.adminA(.get, "/api/executions/\(execution)")
            #expect(
                (recorded.json as? [String: Any])?["organization_id"] as? String == world.orgA.uuidString.lowercased())
            #expect(try await world.adminB(.get, "/api/executions/\(execution)").status == .notFound)
            // A JSON body wins over the query; a form body works too.
            let byBody = try await Self.call(
                context.client, .post, "/api/endpoints/quick_lookup?id=1", headers: headers, body: #"{"id": "42"}"#)
            #expect(
                (byBody.json as? [String: Any])?["result"] as? String == (byQuery.json as? [String: Any])?["result"]
                    as? String)
            headers[.contentType] = "application/x-www-form-urlencoded"
            let byForm = try await Self.call(
                context.client, .post, "/api/endpoints/quick_lookup", headers: headers, body: "id=42")
            #expect(byForm.status == .ok)

            // Wrong method: 405 with Allow. Not endpoint-enabled: 404. Missing input: 422 naming the field.
            let wrongMethod = try await Self.call(
                context.client, .get, "/api/endpoints/quick_lookup?id=1", headers: headers)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "POST")
            #expect(
                try await Self.call(context.client, .post, "/api/endpoints/process_data", headers: headers).status
                    == .notFound)
            let missing = try await Self.call(context.client, .post, "/api/endpoints/quick_lookup", headers: headers)
            #expect(missing.status == .unprocessableContent)
            #expect("\(missing.json ?? "")".contains("id"))
            let wrongType = try await Self.call(
                context.client, .post, "/api/endpoints/bulk_import?items=%7B%7D", headers: headers)
            #expect(wrongType.status == .unprocessableContent)

            // An asynchronous workflow answers 202 with its execution and Location.
            headers[.contentType] = "application/json"
            let queued = try await Self.call(
                context.client, .post, "/api/endpoints/bulk_import", headers: headers, body: #"{"items": [1, 2]}"#)
            #expect(queued.status == .accepted)
            #expect(queued.headers[.location] == "/api/executions/\(queued.execution ?? "")")

            // A user's token is not an endpoint credential; a key restricted to other workflows may not call it.
            let asUser = try await world.adminA(.post, "/api/endpoints/quick_lookup?id=42")
            #expect(asUser.status == .forbidden)
            let restricted = try await Self.key(
                world.adminA, ["name": "narrow", "role": "org_member", "workflows": ["create_user"]])
            let narrow = try await Self.call(
                context.client, .post, "/api/endpoints/quick_lookup?id=42",
                headers: [HTTPField.Name("X-Bifrost-Key")!: restricted]
            )
            #expect(narrow.status == .forbidden)
            #expect(
                try await Self.call(context.client, .post, "/api/endpoints/quick_lookup?id=42").status == .unauthorized)
        }
    }

    /// A platform key acts in whichever organisation it names: the same `Idempotency-Key` used in two of them is
    /// two requests, each run and recorded in its own organisation, never one organisation's answer replayed to
    /// the other.
    @Test func aPlatformKeysIdempotencyKeysAreKeptApartPerOrganisation() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let key = try await Self.key(world.admin, ["name": "msp", "role": "platform_admin"])
            func call(in organization: UUID) async throws -> (
                status: HTTPResponse.Status, json: Any?, execution: String?, headers: HTTPFields
            ) {
                let headers: HTTPFields = [
                    HTTPField.Name("X-Bifrost-Key")!: key,
                    HTTPField.Name("X-Organization-Id")!: organization.uuidString,
                    HTTPField.Name("Idempotency-Key")!: "nightly-1",
                ]
                return try await Self.call(context.client, .post, "/api/endpoints/quick_lookup?id=42", headers: headers)
            }
            let inA = try await call(in: world.orgA)
            let inB = try await call(in: world.orgB)
            let againInA = try await call(in: world.orgA)
            #expect(inA.status == .ok && inB.status == .ok)
            #expect(inB.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            #expect(againInA.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(againInA.execution == inA.execution)
            let (executionA, executionB) = (try #require(inA.execution), try #require(inB.execution))
            #expect(executionA != executionB)
            #expect(try await world.adminA(.get, "/api/executions/\(executionA)").status == .ok)
            #expect(try await world.adminB(.get, "/api/executions/\(executionB)").status == .ok)
            #expect(try await world.adminB(.get, "/api/executions/\(executionA)").status == .notFound)
        }
    }

    @Test func aWebhookCostsBoundedWorkHoweverManyOrganizationsHaveSecrets() async throws {
        try await GatewayHarness.withGatewayAndDatabase { client, context in
            let admin = try await context.caller(
                try await AuthFixtures.createUser("p@msp.example", role: .platformAdmin, on: context.database))
            var secrets: [(UUID, [UInt8])] = []
            for index in 0..<9 {
                let org = try await AuthFixtures.createOrganization("Customer \(index)", on: context.database)
                let created = try await admin.inOrganization(org)(.post, "/api/endpoints/quick_lookup/secrets")
                let text = try #require((created.json as? [String: Any])?["secret"] as? String)
                secrets.append((org, try #require(StandardWebhookSignature.secretBytes(text))))
            }
            let body = #"{"id": "42"}"#
            func signed(_ id: String, with secret: [UInt8]) -> HTTPFields {
                let timestamp = Int(Date().timeIntervalSince1970)
                return [
                    HTTPField.Name("webhook-id")!: id, HTTPField.Name("webhook-timestamp")!: String(timestamp),
                    HTTPField.Name("webhook-signature")!: StandardWebhookSignature.sign(
                        id: id, timestamp: timestamp, body: Array(body.utf8), secret: secret
                    ),
                    .contentType: "application/json",
                ]
            }
            let (org, secret) = secrets[4]
            // More secrets than a request is checked against unnamed: the sender must name its organisation.
            let unnamed = try await Self.call(
                client, .post, "/api/endpoints/quick_lookup", headers: signed("m1", with: secret), body: body)
            #expect(unnamed.status == .unprocessableContent)
            #expect("\(unnamed.json ?? "")".contains("organization"))
            let malformed = try await Self.call(
                client, .post, "/api/endpoints/quick_lookup?organization=nope", headers: signed("m2", with: secret),
                body: body
            )
            #expect(malformed.status == .unprocessableContent)
            let named = try await Self.call(
                client, .post, "/api/endpoints/quick_lookup?organization=\(org.uuidString)",
                headers: signed("m3", with: secret), body: body
            )
            #expect(named.status == .ok)
            let other = try await Self.call(
                client, .post, "/api/endpoints/quick_lookup?organization=\(secrets[0].0.uuidString)",
                headers: signed("m4", with: secret),
                body: body
            )
            #expect(other.status == .unauthorized)
        }
    }

    @Test func signedWebhooksRunInTheSecretsOrganizationAndReplaysAreRefused() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let created = try await world.adminA(.post, "/api/endpoints/quick_lookup/secrets")
            #expect(created.status == .created)
            let first = try #require(created.json as? [String: Any])
            let secretText = try #require(first["secret"] as? String)
            let secret = try #require(StandardWebhookSignature.secretBytes(secretText))
            #expect(secretText.hasPrefix("whsec_"))
            // Listings never show it; org B has none, and cannot retire A's.
            let listed = try await world.adminA(.get, "/api/endpoints/quick_lookup/secrets")
            #expect(!"\(listed.json ?? "")".contains(secretText))
            #expect(
                (try await world.adminB(.get, "/api/endpoints/quick_lookup/secrets").json as? [Any])?.isEmpty == true)
            let firstID = try #require(first["id"] as? String)
            #expect(
                try await world.adminB(.delete, "/api/endpoints/quick_lookup/secrets/\(firstID)").status == .notFound)

            let body = #"{"id": "42"}"#
            func signed(_ id: String, secret: [UInt8], at time: Date = Date(), body: String = body) -> HTTPFields {
                let timestamp = Int(time.timeIntervalSince1970)
                return [
                    HTTPField.Name("webhook-id")!: id, HTTPField.Name("webhook-timestamp")!: String(timestamp),
                    HTTPField.Name("webhook-signature")!: StandardWebhookSignature.sign(
                        id: id, timestamp: timestamp, body: Array(body.utf8), secret: secret
                    ),
                    .contentType: "application/json",
                ]
            }
            let delivered = try await Self.call(
                context.client, .post, "/api/endpoints/quick_lookup", headers: signed("msg_1", secret: secret),
                body: body)
            #expect(delivered.status == .ok)
            let execution = try #require(delivered.execution)
            let record = try #require(
                try await world.adminA(.get, "/api/executions/\(execution)").json as? [String: Any])
            #expect(record["organization_id"] as? String == world.orgA.uuidString.lowercased())

            // The same webhook-id again, a stale timestamp, a tampered body, a foreign secret: 401, nothing run.
            let replay = try await Self.call(
                context.client, .post, "/api/endpoints/quick_lookup", headers: signed("msg_1", secret: secret),
                body: body)
            #expect(replay.status == .unauthorized)
            #expect(replay.execution == nil)
            let stale = signed("msg_2", secret: secret, at: Date().addingTimeInterval(-600))
            #expect(
                try await Self.call(context.client, .post, "/api/endpoints/quick_lookup", headers: stale, body: body)
                    .status == .unauthorized)
            let tampered = try await Self.call(
                context.client, .post, "/api/endpoints/quick_lookup", headers: signed("msg_3", secret: secret),
                body: #"{"id": "43"}"#
            )
            #expect(tampered.status == .unauthorized)
            let foreign = signed("msg_4", secret: Array("not the endpoint's secret at all".utf8))
            #expect(
                try await Self.call(context.client, .post, "/api/endpoints/quick_lookup", headers: foreign, body: body)
                    .status == .unauthorized)

            // Rotation: a second secret works beside the first; once the first is retired only the second does.
            let second = try #require(
                try await world.adminA(.post, "/api/endpoints/quick_lookup/secrets").json as? [String: Any])
            let secondText = try #require(second["secret"] as? String)
            let newer = try #require(StandardWebhookSignature.secretBytes(secondText))
            #expect(
                try await Self.call(
                    context.client, .post, "/api/endpoints/quick_lookup", headers: signed("msg_5", secret: newer),
                    body: body
                ).status == .ok)
            #expect(
                try await Self.call(
                    context.client, .post, "/api/endpoints/quick_lookup", headers: signed("msg_6", secret: secret),
                    body: body
                ).status == .ok)
            #expect(
                try await world.adminA(.delete, "/api/endpoints/quick_lookup/secrets/\(firstID)").status == .noContent)
            #expect(
                try await Self.call(
                    context.client, .post, "/api/endpoints/quick_lookup", headers: signed("msg_7", secret: secret),
                    body: body
                ).status == .unauthorized)
            #expect(
                try await Self.call(
                    context.client, .post, "/api/endpoints/quick_lookup", headers: signed("msg_8", secret: newer),
                    body: body
                ).status == .ok)

            // Rejections are counted by reason; no secret is stored in the clear.
            let metrics = try await context.client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains(#"bifrost_webhook_rejections_total{reason="replay"} 1"#))
            #expect(metrics.contains(#"bifrost_webhook_rejections_total{reason="bad_signature"} 3"#))
            #expect(metrics.contains(#"bifrost_webhook_rejections_total{reason="stale_timestamp"} 1"#))
            try await OAuthFlowTests.expectNowhere([secretText, String(secretText.dropFirst(6))], in: context.database)
        }
    }
}

/// `Idempotency-Key` on endpoints: one run per key and request, however often and however concurrently repeated.
@Suite struct EndpointIdempotencyTests {
    @Test func repeatsGetTheFirstAnswerAndAnotherBodyIsRefused() async throws {
        try await GatewayHarness.withGatewayAndDatabase(extraWorkflows: [SlowEcho.self]) { client, context in
            let org = try await AuthFixtures.createOrganization("A", on: context.database)
            let admin = try await context.caller(
                try await AuthFixtures.createUser(
                    "a@a.example", role: .orgAdmin, organization: org, on: context.database)
            )
            let created = try await admin(.post, "/api/api-keys", ["name": "sync", "role": "org_member"])
            let key = try #require((created.json as? [String: Any])?["key"] as? String)
            func call(_ idempotencyKey: String, body: String) async throws -> (
                HTTPResponse.Status, String?, Bool, String
            ) {
                let headers: HTTPFields = [
                    HTTPField.Name("X-Bifrost-Key")!: key, .contentType: "application/json",
                    HTTPField.Name("Idempotency-Key")!: idempotencyKey,
                ]
                return try await client.execute(
                    uri: "/api/endpoints/slow_echo", method: .post, headers: headers, body: ByteBuffer(string: body)
                ) {
                    (
                        $0.status, $0.headers[HTTPField.Name("X-Bifrost-Execution-Id")!],
                        $0.headers[HTTPField.Name("Idempotent-Replayed")!] == "true", String(buffer: $0.body)
                    )
                }
            }
            let first = try await call("order-1", body: #"{"text": "hello"}"#)
            #expect(first.0 == .ok)
            #expect(!first.2)
            let again = try await call("order-1", body: #"{"text": "hello"}"#)
            #expect(again.0 == .ok)
            #expect(again.1 == first.1)
            #expect(again.2)
            #expect(again.3 == first.3)
            let other = try await call("order-1", body: #"{"text": "bye"}"#)
            #expect(other.0 == .unprocessableContent)
            #expect(other.3.contains("Idempotency-Key"))

            // Ten at once with a new key: one run, ten identical answers.
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, Bool, String).self) {
                group in
                for _ in 0..<10 { group.addTask { try await call("order-2", body: #"{"text": "once"}"#) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(answers.map(\.0)) == [.ok])
            #expect(Set(answers.compactMap(\.1)).count == 1)
            #expect(answers.filter { !$0.2 }.count == 1)
            let runs = try await context.database.query(
                "SELECT count(*) FROM executions WHERE workflow = 'slow_echo'", logger: TestPostgres.logger
            )
            for try await count in runs.decode(Int.self) { #expect(count == 2) }
        }
    }
}

/// Echoes its text after a pause, so that repeats arrive while it runs.
private struct SlowEcho: Workflow {
    static let configuration = WorkflowConfiguration("slow_echo", description: "Echo, slowly", endpoint: .post)

    @Param(.string) var text: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        try await Task.sleep(for: .milliseconds(300))
        return ["text": .string(text)]
    }
}
