import BifrostCrypto
import BifrostGateway
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import Synchronization
import Testing

/// Password hashing runs off Swift's cooperative pool, so slow logins do not hold up other requests.
@Suite struct PasswordHashingTests {
    @Test func otherRequestsAreAnsweredWhileLoginsHashPasswords() async throws {
        try await GatewayHarness.withGatewayAndDatabase(live: true) { client, context in
            // A hash of 1,000,000 rounds: each verification takes a core for about half a second.
            // Six accounts: parallel logins to one account beyond its free attempts would wait for the throttle.
            let slow = PasswordHasher(iterations: 1_000_000).hash(AuthFixtures.password)
            for index in 0..<6 {
                _ = try await PostgresUserRepository(client: context.database, logger: TestPostgres.logger).create(
                    NewUser(
                        email: "slow\(index)@example.com", name: "Slow", role: .platformAdmin, organizationID: nil,
                        passwordHash: slow)
                )
            }
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let loginsDone = Finished()
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Six logins: enough to hold every thread of the cooperative pool on this 2-core machine were they
                // hashing there, and few enough to leave HTTPClient.shared a connection (8 per host) for the check.
                for index in 0..<6 {
                    group.addTask {
                        // Each request on a connection of its own (HTTPClient.shared), so none waits behind another.
                        let (status, _) = try await ServerProcess.postJSON(
                            "\(base)/auth/login",
                            ["email": "slow\(index)@example.com", "password": AuthFixtures.password]
                        )
                        #expect(status == 200)
                        loginsDone.count()
                    }
                }
                try await Task.sleep(for: .milliseconds(50))
                #expect(try await ServerProcess.status(of: "\(base)/health/live") == 200)
                // Answered while every login is still hashing: none of them holds a thread that requests need.
                #expect(loginsDone.total == 0)
                try await group.waitForAll()
            }
        }
    }
}

/// How many logins have finished.
private final class Finished: Sendable {
    private let finished = Mutex(0)

    func count() { finished.withLock { $0 += 1 } }

    var total: Int { finished.withLock { $0 } }
}
