import BifrostTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Logging out and changing a password end a login on every replica: its refresh tokens, and the access tokens
/// already handed out, which each replica may have verified and cached moments before.
@Suite struct SessionTests {
    private static let password = "first password of ops"

    /// Signs `email` in on `gateway`: the access token and the refresh token.
    private func login(_ gateway: RunningGateway, _ email: String, _ password: String = password) async throws
        -> (access: String, refresh: String)
    {
        let (status, pair) = try await ServerProcess.postJSON(
            "\(gateway.baseURL)/auth/login", ["email": email, "password": password]
        )
        #expect(status == 200, "\(pair)")
        return (try #require(pair["access_token"] as? String), try #require(pair["refresh_token"] as? String))
    }

    private func refresh(_ gateway: RunningGateway, _ token: String) async throws -> Int {
        try await ServerProcess.postJSON("\(gateway.baseURL)/auth/refresh", ["refresh_token": token]).0
    }

    @Test func logoutAndAPasswordChangeEndTheLoginsAccessTokensOnEveryReplica() async throws {
        try await RunningGateway.with { gateway, _ in
            try await gateway.withReplica { replica in
                let admin = Caller(gateway)
                let created = try await admin(
                    .POST, "/api/users",
                    ["email": "ops@msp.example", "role": "platform_admin", "password": Self.password]
                )
                #expect(created.status == 201, "\(created.body)")
                let userID = try #require(created.body["id"] as? String)

                // Two logins; both work on both replicas (which now have them cached).
                let first = try await login(gateway, "ops@msp.example")
                let second = try await login(gateway, "ops@msp.example")
                for token in [first.access, second.access] {
                    for base in [gateway, replica] {
                        #expect(try await Caller(base: base.baseURL, token: token)(.GET, "/auth/me").status == 200)
                    }
                }

                // Logging out on one replica ends that login's access token there and on the other.
                let logout = try await ServerProcess.send(
                    .POST, "\(gateway.baseURL)/auth/logout", json: ["refresh_token": first.refresh],
                    headers: ["Authorization": "Bearer \(first.access)"]
                )
                #expect(logout.0 == 204)
                let loggedOut = Caller(base: gateway.baseURL, token: first.access)
                #expect(try await loggedOut(.GET, "/auth/me").status == 401)
                let refusedThere = try await eventually {
                    try await loggedOut.on(replica)(.GET, "/auth/me").status == 401
                }
                #expect(refusedThere, "the other replica still accepts the logged-out token")
                #expect(try await refresh(replica, first.refresh) == 401)
                // The other login is untouched.
                #expect(try await Caller(base: replica.baseURL, token: second.access)(.GET, "/auth/me").status == 200)

                // A password change ends every login of the user: refresh tokens and access tokens, everywhere.
                let changed = try await admin(.PATCH, "/api/users/\(userID)", ["password": "second password of ops"])
                #expect(changed.status == 200, "\(changed.body)")
                #expect(try await refresh(replica, second.refresh) == 401)
                let stale = Caller(base: replica.baseURL, token: second.access)
                let refusedHere = try await eventually { try await stale(.GET, "/auth/me").status == 401 }
                #expect(refusedHere, "a replica still accepts an access token of the old password")
                #expect(try await stale.on(gateway)(.GET, "/auth/me").status == 401)

                // The new password signs in, on either replica.
                let fresh = try await login(replica, "ops@msp.example", "second password of ops")
                #expect(try await Caller(base: gateway.baseURL, token: fresh.access)(.GET, "/auth/me").status == 200)
            }
        }
    }
}
