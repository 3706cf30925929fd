import BifrostTestSupport
import Foundation
import Testing

/// Issue 19, finding 2: a connection's write-only credentials cannot be made to go somewhere else. Moving a
/// connection (another token URL, say) discards its client secret and tokens; token and authorize URLs must be
/// https to public addresses unless the operator allows loopback or private networks.
@Suite struct OAuthProviderURLTests {
    @Test func movingAConnectionElsewhereDiscardsItsClientSecretAndTokens() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await FakeOAuthProvider.withProvider { attacker in
                try await OAuthGateway.with(provider) { world in
                    // The MSP sets up the organisation's connection with its own client, and an admin connects it.
                    let (organization, admin) = try await world.organization("Contoso")
                    let msp = world.platform.inOrganization(organization)
                    let settings = OAuthGateway.connection("microsoft", provider, flow: "authorization_code")
                    #expect(try await msp(.POST, "/api/oauth/connections", settings).status == 201)
                    let (_, url) = try await OAuthGateway.authorize("microsoft", as: admin)
                    let callback = try await admin(.GET, try await OAuthGateway.browse(url))
                    #expect(callback.object["status"] as? String == "connected", "\(callback.object)")

                    // A change that keeps the destination keeps the tokens.
                    var rescoped = settings
                    rescoped["scopes"] = ["User.Read.All", "Group.Read.All"]
                    rescoped["client_secret"] = nil
                    #expect(
                        try await admin(.PUT, "/api/oauth/connections/microsoft", rescoped).object["status"] as? String
                            == "connected")

                    // The organisation's admin points the token URL at a host of theirs, without the secret: the
                    // stored secret and tokens are gone, and refreshing sends nothing anywhere.
                    var moved = rescoped
                    moved["token_url"] = attacker.tokenURL
                    let update = try await admin(.PUT, "/api/oauth/connections/microsoft", moved)
                    #expect(update.status == 200)
                    #expect(update.object["status"] as? String == "not_connected", "\(update.object)")
                    #expect(update.object["expires_at"] == nil)
                    #expect(try await admin(.POST, "/api/oauth/connections/microsoft/refresh").status == 409)

                    // With a secret of their own: still no tokens to send.
                    moved["client_secret"] = "their own secret"
                    #expect(
                        try await admin(.PUT, "/api/oauth/connections/microsoft", moved).object["status"] as? String
                            == "not_connected")
                    #expect(try await admin(.POST, "/api/oauth/connections/microsoft/refresh").status == 409)
                    #expect(attacker.allTokenRequests == 0)
                    #expect(provider.tokenRequests("refresh_token") == 0)
                }
            }
        }
    }

    @Test func byDefaultTokenAndAuthorizeURLsMustBeHTTPSToPublicAddresses() async throws {
        try await RunningGateway.with { gateway, _ in
            let platform = APICaller(base: gateway.baseURL, token: gateway.adminToken)
            func refusal(_ field: String, _ url: String) async throws -> String? {
                let answer = try await platform(
                    .POST, "/api/oauth/connections",
                    [
                        "name": "probe", "provider": "generic", "flow": "authorization_code", "client_id": "c",
                        "client_secret": "s", "token_url": field == "token_url" ? url : "https://93.184.215.14/token",
                        "authorize_url": field == "authorize_url" ? url : "https://93.184.215.14/authorize",
                    ])
                #expect(answer.status == 422, "\(url) was accepted as \(field)")
                return (answer.object["errors"] as? [[String: Any]])?.first { $0["field"] as? String == field }?[
                    "message"] as? String
            }
            for url in [
                "http://169.254.169.254/latest/meta-data/iam/security-credentials/", "http://10.0.0.1/",
                "https://127.0.0.1/token", "https://localhost/token", "https://10.1.2.3/token",
                "https://100.64.0.1/token", "https://[::1]/token", "https://[::ffff:169.254.169.254]/token",
                "https://[fd00::1]/token", "https://[fe80::1]/token", "https://0.0.0.0/token",
                "http://93.184.215.14/token", "https://user:password@93.184.215.14/token", "ftp://93.184.215.14/token",
            ] {
                let message = try await refusal("token_url", url)
                #expect(message != nil, "\(url)")
            }
            #expect(
                try await refusal("token_url", "http://169.254.169.254/latest/")?.contains("cloud metadata") == true)
            #expect(try await refusal("token_url", "https://localhost/token")?.contains("loopback") == true)
            #expect(
                try await refusal("authorize_url", "http://10.0.0.1/authorize")?.contains("private network") == true)
            #expect(try await refusal("authorize_url", "https://127.0.0.1/authorize")?.contains("loopback") == true)
            // A public https address passes.
            let accepted = try await platform(
                .POST, "/api/oauth/connections",
                [
                    "name": "public", "provider": "generic", "flow": "client_credentials", "client_id": "c",
                    "token_url": "https://93.184.215.14/token",
                ])
            #expect(accepted.status == 201, "\(accepted.object)")
        }
    }
}
