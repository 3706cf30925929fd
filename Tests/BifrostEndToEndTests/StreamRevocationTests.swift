import AsyncHTTPClient
import BifrostTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import PostgresNIO
import Testing

/// A run's Server-Sent Events stream, open on one replica, ends when the credential that opened it is revoked
/// through another: a key revoked, a logout, a password change, a user or an organisation deactivated.
@Suite struct StreamRevocationTests {
    /// An open `GET /api/executions/{id}/stream`, read until the server ends it.
    struct EventStream {
        /// True when the server ended the stream, false when it was cancelled.
        let reading: Task<Bool, Never>

        /// Opens the stream and returns once its first event (the run's state) has arrived.
        static func open(_ gateway: RunningGateway, execution: String, token: String) async throws -> EventStream {
            var request = HTTPClientRequest(url: "\(gateway.baseURL)/api/executions/\(execution)/stream")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            let (firstEvent, arrived) = AsyncStream.makeStream(of: Void.self)
            let reading = Task {
                var text = ""
                do {
                    for try await chunk in response.body {
                        text += String(buffer: chunk)
                        if text.contains("\n\n") { arrived.finish() }
                    }
                    arrived.finish()
                    return true
                } catch {
                    arrived.finish()
                    return false
                }
            }
            for await _ in firstEvent {}
            return EventStream(reading: reading)
        }

        /// Whether the server ends the stream within `limit`; the stream is dropped if not.
        func ends(within limit: Duration) async -> Bool {
            let timer = Task { [reading] in
                try? await Task.sleep(for: limit)
                reading.cancel()
            }
            defer { timer.cancel() }
            return await reading.value
        }
    }

    @Test func aStreamEndsWhenItsCredentialIsRevokedThroughAnotherReplica() async throws {
        // No process runs queued runs: each run stays Pending, so only a revocation can end its stream.
        try await RunningGateway.with(environment: ["BIFROST_WORKFLOWS_WORKERS": "0"]) { gateway, url in
            try await gateway.withReplica { replica in
                let admin = Caller(gateway)
                let org = try #require(
                    try await admin(.POST, "/api/organizations", ["name": "Contoso"]).body["id"] as? String)
                let password = "password of the lead"
                let user = try await admin(
                    .POST, "/api/users", ["email": "lead@contoso.example", "role": "org_admin", "password": password],
                    organization: org
                )
                let userID = try #require(user.body["id"] as? String, "\(user.body)")

                /// A new key of the organisation: the key and its id.
                func key() async throws -> (key: String, id: String) {
                    let created = try await admin(
                        .POST, "/api/api-keys", ["name": "dashboard", "role": "org_admin"], organization: org)
                    let id = try #require(
                        (created.body["api_key"] as? [String: Any])?["id"] as? String, "\(created.body)")
                    return (try #require(created.body["key"] as? String), id)
                }
                func login(_ password: String) async throws -> (access: String, refresh: String) {
                    let (_, pair) = try await ServerProcess.postJSON(
                        "\(gateway.baseURL)/auth/login", ["email": "lead@contoso.example", "password": password]
                    )
                    return (
                        try #require(pair["access_token"] as? String, "\(pair)"),
                        try #require(pair["refresh_token"] as? String)
                    )
                }
                /// Queues a run as `token` and opens its stream on the other replica.
                func stream(as token: String, running: Bool = false) async throws -> EventStream {
                    let queued = try await Caller(base: gateway.baseURL, token: token)(
                        .POST, "/api/workflows/wait_for/execute", ["input": ["seconds": 1], "mode": "async"]
                    )
                    let execution = try #require(queued.body["execution_id"] as? String, "\(queued.body)")
                    if running {
                        // As if a worker held it: deactivating the organisation cancels its queued runs (which would
                        // end the stream by itself), not the ones already running.
                        try await TestPostgres.withClient(url) { database in
                            try await database.query(
                                "UPDATE executions SET status = 'Running', started_at = now() WHERE id = \(UUID(uuidString: execution))",
                                logger: TestPostgres.logger
                            )
                        }
                    }
                    return try await EventStream.open(replica, execution: execution, token: token)
                }

                let revokedKey = try await key()
                let byKey = try await stream(as: revokedKey.key)
                #expect(try await admin(.DELETE, "/api/api-keys/\(revokedKey.id)", organization: org).status == 204)
                #expect(await byKey.ends(within: .seconds(20)), "a revoked key's stream stayed open")

                let loggedOut = try await login(password)
                let byLogin = try await stream(as: loggedOut.access)
                let logout = try await ServerProcess.send(
                    .POST, "\(gateway.baseURL)/auth/logout", json: ["refresh_token": loggedOut.refresh],
                    headers: ["Authorization": "Bearer \(loggedOut.access)"]
                )
                #expect(logout.0 == 204)
                #expect(await byLogin.ends(within: .seconds(20)), "a logged-out token's stream stayed open")

                let beforeChange = try await login(password)
                let byOldPassword = try await stream(as: beforeChange.access)
                #expect(
                    try await admin(.PATCH, "/api/users/\(userID)", ["password": "a new password"], organization: org)
                        .status == 200)
                #expect(await byOldPassword.ends(within: .seconds(20)), "a stream stayed open after a password change")

                let beforeDeactivation = try await login("a new password")
                let byUser = try await stream(as: beforeDeactivation.access)
                #expect(
                    try await admin(.PATCH, "/api/users/\(userID)", ["is_active": false], organization: org).status
                        == 200)
                #expect(await byUser.ends(within: .seconds(20)), "a deactivated user's stream stayed open")

                let organizationKey = try await key()
                let byOrganization = try await stream(as: organizationKey.key, running: true)
                #expect(try await admin(.PATCH, "/api/organizations/\(org)", ["is_active": false]).status == 200)
                #expect(
                    await byOrganization.ends(within: .seconds(20)), "a deactivated organisation's stream stayed open")
            }
        }
    }
}
