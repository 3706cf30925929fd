import AsyncHTTPClient
import BifrostStore
import BifrostTestSupport
import Foundation
import NIOHTTP1
import PostgresNIO
import Testing

/// Limits that keep one caller from wearing the gateway down, on a real `bifrost serve`: the login throttle counts
/// attempts before hashing, calls without credentials are limited per client address, the client address comes
/// from forwarding headers only through trusted proxies, and live-update streams are capped.
@Suite struct AbuseLimitTests {
    @Test func parallelWrongPasswordsGetNoMoreThanTheFreeAttemptsThrough() async throws {
        try await RunningGateway.with { gateway, _ in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try await ServerProcess.send(
                            .POST, "\(gateway.baseURL)/auth/login",
                            json: ["email": "boot@msp.example", "password": "wrong guess"]
                        ).0
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let checked = statuses.filter { $0 == 401 }.count
            #expect((1...5).contains(checked), "\(checked) wrong passwords were checked")
            #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 }, "\(Set(statuses))")
        }
    }

    @Test func forwardingHeadersFromAnUntrustedPeerAreIgnored() async throws {
        let policies = try PolicyFolder(anonymous: "{per_second: 0.001, burst: 5}")
        defer { policies.remove() }
        try await RunningGateway.with(environment: ["BIFROST_POLICIES_DIRECTORY": policies.path]) { gateway, url in
            let spoofed = try await ServerProcess.send(
                .POST, "\(gateway.baseURL)/auth/login", json: ["email": "boot@msp.example", "password": "wrong"],
                headers: ["X-Forwarded-For": "203.0.113.9", "Forwarded": "for=203.0.113.10"]
            )
            #expect(spoofed.0 == 401)
            #expect(try await Self.failedLoginAddresses(url) == ["127.0.0.1"])
            // Rotating the header does not escape the per-address limit of calls without credentials: the admin's
            // sign-in and the login above took two of the five, so of ten more, seven are refused.
            var statuses: [Int] = []
            for index in 0..<10 {
                statuses.append(
                    try await ServerProcess.send(
                        .POST, "\(gateway.baseURL)/auth/refresh", json: ["refresh_token": "bfr_nothing"],
                        headers: ["X-Forwarded-For": "198.51.100.\(index)"]
                    ).0)
            }
            #expect(statuses.filter { $0 == 401 }.count == 3, "\(statuses)")
            #expect(statuses.filter { $0 == 429 }.count == 7, "\(statuses)")
            // Health checks are never limited, and calls with credentials have limits of their own.
            #expect(try await ServerProcess.status(of: "\(gateway.baseURL)/health/live") == 200)
            #expect(try await GatewayCaller(gateway)(.GET, "/auth/me").status == 200)
        }
    }

    @Test func forwardingHeadersFromATrustedProxyNameTheClient() async throws {
        try await RunningGateway.with(environment: ["BIFROST_HTTP_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"]) {
            gateway, url in
            let forwarded = try await ServerProcess.send(
                .POST, "\(gateway.baseURL)/auth/login", json: ["email": "boot@msp.example", "password": "wrong"],
                headers: ["X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.1.2.3"]
            )
            #expect(forwarded.0 == 401)
            #expect(try await Self.failedLoginAddresses(url) == ["203.0.113.9"])
        }
    }

    @Test func liveUpdateStreamsAreCappedPerCaller() async throws {
        try await RunningGateway.with(environment: ["BIFROST_HTTP_MAX_STREAMS_PER_PRINCIPAL": "2"]) { gateway, _ in
            let admin = GatewayCaller(gateway)
            let organization = try #require(
                try await admin(.POST, "/api/organizations", ["name": "Contoso"]).body["id"] as? String)
            let queued = try await admin(
                .POST, "/api/workflows/wait_in_background/execute", ["input": ["seconds": 600]],
                organization: organization
            )
            let id = try #require(queued.body["execution_id"] as? String, "\(queued.body)")
            let streamURL = "\(gateway.baseURL)/api/executions/\(id)/stream"
            let open = try await (0..<2).asyncMap { _ in try await OpenStream(url: streamURL, token: gateway.adminToken)
            }
            #expect(open.map(\.status) == [200, 200])
            let third = try await OpenStream(url: streamURL, token: gateway.adminToken)
            #expect(third.status == 429)
            third.close()
            open[0].close()
            // The closed stream's place is free again once the server has seen it go: at its next write, which
            // is at the latest its keep-alive comment (15 s of quiet).
            let reopened = try await eventually(every: .milliseconds(200)) {
                let stream = try await OpenStream(url: streamURL, token: gateway.adminToken)
                stream.close()
                return stream.status == 200
            }
            #expect(reopened)
            open[1].close()
            _ = try await admin(.POST, "/api/executions/\(id)/cancel")
        }
    }

    /// The client addresses the audit recorded for failed logins.
    static func failedLoginAddresses(_ url: DatabaseURL) async throws -> [String] {
        try await TestPostgres.withClient(url) { client in
            let rows = try await client.query(
                "SELECT client_address FROM audit_events WHERE action = 'auth.login' AND outcome = 'failure'",
                logger: TestPostgres.logger
            )
            var addresses: [String] = []
            for try await address in rows.decode(String?.self) { addresses.append(address ?? "") }
            return addresses
        }
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// A Server-Sent Events stream held open by a test until it closes it.
final class OpenStream: Sendable {
    /// The status the server answered.
    let status: Int
    private let reader: Task<Void, Never>

    init(url: String, token: String) async throws {
        let (answers, answer) = AsyncStream.makeStream(of: Int.self)
        reader = Task {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Accept", value: "text/event-stream")
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(600)) {
                answer.yield(Int(response.status.code))
                do { for try await _ in response.body {} } catch {}
            }
            answer.finish()
        }
        var iterator = answers.makeAsyncIterator()
        status = await iterator.next() ?? 0
    }

    /// Closes the connection.
    func close() { reader.cancel() }
}
