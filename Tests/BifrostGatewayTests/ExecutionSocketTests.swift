import Bifrost
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import Logging
import PostgresNIO
import Synchronization
import Testing

/// `/api/ws` on a live socket: a dashboard subscribes to runs and gets their events; credentials and scope apply.
@Suite struct ExecutionSocketTests {
    private func queue(_ caller: AdminAPITestClient, _ workflow: String, _ input: [String: Any]) async throws -> String
    {
        let (status, body) = try await caller(
            .post, "/api/workflows/\(workflow)/execute", ["input": input, "mode": "async"])
        #expect(status == .accepted)
        return try #require((body as? [String: Any])?["execution_id"] as? String)
    }

    /// Connects with `token`, sends `requests`, and collects the messages until `done` says so (or a minute passes).
    private func converse(
        _ client: any TestClientProtocol, token: String?, _ requests: [String],
        until done: @escaping @Sendable ([[String: Any]]) -> Bool
    ) async throws -> [[String: Any]] {
        let received = Mutex<[String]>([])
        var configuration = WebSocketClientConfiguration()
        if let token { configuration.additionalHeaders = [.authorization: "Bearer \(token)"] }
        try await client.ws("/api/ws", configuration: configuration) { inbound, outbound, _ in
            for request in requests { try await outbound.write(.text(request)) }
            let deadline = ContinuousClock.now + .seconds(60)
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                let all = received.withLock { list in
                    list.append(text)
                    return list
                }
                if done(Self.parse(all)) || ContinuousClock.now > deadline { break }
            }
        }
        return Self.parse(received.withLock { $0 })
    }

    private static func parse(_ texts: [String]) -> [[String: Any]] {
        texts.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    @Test func aDashboardFollowsItsRunsAndOnlyThose() async throws {
        try await GatewayHarness.withGatewayAndDatabase(extraWorkflows: [PacedLogger.self], live: true) { _, context in
            let orgA = try await AuthFixtures.createOrganization("A", on: context.database)
            let orgB = try await AuthFixtures.createOrganization("B", on: context.database)
            let userA = try await AuthFixtures.createUser(
                "a@a.example", role: .orgMember, organization: orgA, on: context.database)
            let userB = try await AuthFixtures.createUser(
                "b@b.example", role: .orgAdmin, organization: orgB, on: context.database)
            let memberA = try await context.caller(userA)
            let first = try await queue(memberA, "paced_logger", ["lines": 3])
            let second = try await queue(memberA, "paced_logger", ["lines": 2])
            let tokenA = try await context.token(for: userA)
            let messages = try await converse(
                context.client, token: tokenA,
                [
                    "{\"subscribe\": \"\(first)\"}", "{\"subscribe\": \"\(second)\"}", "{\"subscribe\": \"\(UUID())\"}",
                    "hello",
                ]
            ) { messages in
                messages.filter { $0["event"] as? String == "error" }.count == 2
                    && [first, second].allSatisfy { id in
                        messages.contains {
                            $0["execution_id"] as? String == id
                                && ($0["data"] as? [String: Any])?["status"] as? String == "Success"
                        }
                    }
            }
            for (id, lines) in [(first, 3), (second, 2)] {
                let own = messages.filter { $0["execution_id"] as? String == id }
                let logs = own.filter { $0["event"] as? String == "log" }
                #expect(
                    logs.compactMap { ($0["data"] as? [String: Any])?["message"] as? String }
                        == (1...lines).map { "step \($0)" })
                #expect(logs.compactMap { $0["id"] as? Int } == Array(1...lines))
                #expect(own.last?["event"] as? String == "status")
                #expect((own.last?["data"] as? [String: Any])?["status"] as? String == "Success")
            }
            let errors = messages.filter { $0["event"] as? String == "error" }
            #expect(errors.count == 2)  // the unknown run, and the message that is not a request

            // Another organisation's admin is told the run does not exist.
            let tokenB = try await context.token(for: userB)
            let foreign = try await converse(context.client, token: tokenB, ["{\"subscribe\": \"\(first)\"}"]) {
                !$0.isEmpty
            }
            #expect(foreign.count == 1)
            #expect(foreign.first?["event"] as? String == "error")
            #expect((foreign.first?["data"] as? [String: Any])?["detail"] as? String == "No execution has this id.")

            // Without credentials there is no upgrade; without the upgrade the route answers 426.
            await #expect(throws: (any Error).self) {
                _ = try await converse(context.client, token: nil, []) { _ in true }
            }
            let plain = try await context.client.execute(
                uri: "/api/ws", method: .get, headers: [.authorization: "Bearer \(tokenA)"]
            ) { $0.status.code }
            #expect(plain == 426)
        }
    }

    @Test func aSocketThatFloodsMessagesIsToldToSlowDown() async throws {
        try await GatewayHarness.withGatewayAndDatabase(live: true) { _, context in
            let org = try await AuthFixtures.createOrganization("A", on: context.database)
            let user = try await AuthFixtures.createUser(
                "a@a.example", role: .orgMember, organization: org, on: context.database)
            let token = try await context.token(for: user)
            // Every message is answered (these are not requests), but beyond the burst the answer is "slow down"
            // and nothing is done for them.
            let messages = try await converse(context.client, token: token, Array(repeating: "hello", count: 200)) {
                $0.count >= 200
            }
            let details = messages.compactMap { ($0["data"] as? [String: Any])?["detail"] as? String }
            #expect(details.count == 200)
            #expect(details.filter { $0.hasPrefix("Too many messages") }.count >= 1)
            #expect(details.filter { $0.hasPrefix("Send {") }.count >= 20)
        }
    }

    /// Opens a socket with `token` and subscribes to `run`; after its first event runs `revoke`, then collects
    /// messages until the server closes the socket (`closedBy` is the close frame) or 20 seconds pass (then the
    /// client closes it normally).
    private func revoked(
        _ client: any TestClientProtocol, token: String, subscribingTo run: String,
        by revoke: @escaping @Sendable (WebSocketOutboundWriter) async throws -> Void
    ) async throws -> (closedBy: WebSocketCloseFrame?, messages: [[String: Any]]) {
        let received = Received()
        var settings = WebSocketClientConfiguration()
        settings.additionalHeaders = [.authorization: "Bearer \(token)"]
        let configuration = settings
        let close = try await client.ws("/api/ws", configuration: configuration) { inbound, outbound, _ in
            try await outbound.write(.text("{\"subscribe\": \"\(run)\"}"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message else { continue }
                        if received.append(text) == 1 { try await revoke(outbound) }
                    }
                }
                // A server that keeps the socket open is left by the client after 20 s, with a normal closure.
                group.addTask { try await Task.sleep(for: .seconds(20)) }
                try await group.next()
                group.cancelAll()
            }
        }
        return (close, Self.parse(received.all))
    }

    @Test func aSocketClosesWhenItsCredentialIsRevokedAndASubscriptionRechecksIt() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.workers = 0  // runs stay Pending: nothing but a revocation ends a socket
        try await GatewayHarness.withGatewayAndDatabase(configuration: configuration, live: true) { client, context in
            let org = try await AuthFixtures.createOrganization("A", on: context.database)
            let user = try await AuthFixtures.createUser(
                "a@a.example", role: .orgAdmin, organization: org, on: context.database)
            let member = try await context.caller(user)
            let run = try await queue(member, "wait_for", ["seconds": 1])

            // A logout through the API: the socket says why and closes with 1008 (policy violation).
            let pair = try await AuthFixtures.login("a@a.example", client: client).body
            let access = try #require(pair["access_token"] as? String)
            let refreshToken = try #require(pair["refresh_token"] as? String)
            let loggedOut = try await revoked(client, token: access, subscribingTo: run) { _ in
                let status = try await AuthFixtures.logout(access: access, refresh: refreshToken, client: client)
                #expect(status == .noContent)
            }
            #expect(loggedOut.closedBy?.closeCode == .policyViolation, "the socket outlived its logout")
            #expect(loggedOut.messages.first?["event"] as? String == "status")
            #expect(loggedOut.messages.last?["event"] as? String == "error")

            // The organisation deactivated: the socket closes, not merely its subscription.
            let admin = try await AuthFixtures.createUser(
                "root@msp.example", role: .platformAdmin, on: context.database)
            let operatorClient = try await context.caller(admin)
            let deactivated = try await revoked(client, token: try await context.token(for: user), subscribingTo: run) {
                _ in
                let status = try await operatorClient(.patch, "/api/organizations/\(org)", ["is_active": false]).status
                #expect(status == .ok)
            }
            #expect(deactivated.closedBy?.closeCode == .policyViolation, "the socket outlived its organisation")
            #expect(try await operatorClient(.patch, "/api/organizations/\(org)", ["is_active": true]).status == .ok)

            // Deactivated behind the gateway's back (no notification reaches the socket): the next subscription
            // finds out, and the socket closes instead of subscribing.
            let other = try await queue(member, "wait_for", ["seconds": 1])
            let database = context.database
            let unseen = try await revoked(client, token: try await context.token(for: user), subscribingTo: run) {
                outbound in
                try await database.query(
                    "UPDATE users SET is_active = false WHERE id = \(user.id)", logger: TestPostgres.logger)
                try await outbound.write(.text("{\"subscribe\": \"\(other)\"}"))
            }
            #expect(unseen.closedBy?.closeCode == .policyViolation, "a subscription was made with a revoked credential")
            #expect(!unseen.messages.contains { $0["execution_id"] as? String == other }, "\(unseen.messages)")
        }
    }
}

/// Messages a socket received, appended from the task reading them.
private final class Received: Sendable {
    private let texts = Mutex<[String]>([])

    /// Appends `text`; returns how many there are now.
    func append(_ text: String) -> Int {
        texts.withLock {
            $0.append(text); return $0.count
        }
    }

    var all: [String] { texts.withLock { $0 } }
}
