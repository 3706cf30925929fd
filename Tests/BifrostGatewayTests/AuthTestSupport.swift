import BifrostCrypto
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO

/// Users and logins for authentication tests.
enum AuthFixtures {
    static let password = "correct horse battery staple"
    /// Fast hashes for fixtures; verification reads the work factor from the stored hash.
    static let hasher = PasswordHasher(iterations: 1_000)

    @discardableResult
    static func createUser(
        _ email: String, role: User.Role, organization: UUID? = nil, on client: PostgresClient
    ) async throws -> User {
        try await PostgresUserRepository(client: client, logger: TestPostgres.logger).create(
            NewUser(
                email: email, name: email, role: role, organizationID: organization, passwordHash: hasher.hash(password)
            )
        )
    }

    /// A gateway access token for `user`, of a login session of its own (stored as a login stores it: the
    /// gateway accepts a token only while its session is live).
    static func signIn(_ user: User, tokens: AccessTokens, on client: PostgresClient) async throws -> String {
        let session = UUID()
        try await PostgresRefreshTokenRepository(client: client, logger: TestPostgres.logger).issue(
            userID: user.id, family: session, tokenHash: SHA256Digest.hex(UUID().uuidString),
            expiresAt: Date().addingTimeInterval(3_600)
        )
        return try await tokens.issue(userID: user.id, session: session)
    }

    static func createOrganization(_ name: String, on client: PostgresClient) async throws -> UUID {
        try await PostgresOrganizationRepository(client: client, logger: TestPostgres.logger).create(
            name: name, domain: nil
        ).id
    }

    /// Logs in and returns the decoded token pair.
    static func login(_ email: String, password: String = password, client: any TestClientProtocol) async throws
        -> (status: HTTPResponse.Status, body: [String: Any])
    {
        let body = try JSONSerialization.data(withJSONObject: ["email": email, "password": password])
        return try await client.execute(
            uri: "/auth/login", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(bytes: body)
        ) { response in
            let object =
                (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any]
            return (response.status, object ?? [:])
        }
    }

    /// Logs out with the login's access token and its refresh token; returns the status.
    static func logout(access: String, refresh: String, client: any TestClientProtocol) async throws
        -> HTTPResponse.Status
    {
        let body = try JSONSerialization.data(withJSONObject: ["refresh_token": refresh])
        return try await client.execute(
            uri: "/auth/logout", method: .post,
            headers: [.authorization: "Bearer \(access)", .contentType: "application/json"],
            body: ByteBuffer(bytes: body)
        ) { $0.status }
    }

    static func json(_ response: TestResponse) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any]) ?? [:]
    }
}
