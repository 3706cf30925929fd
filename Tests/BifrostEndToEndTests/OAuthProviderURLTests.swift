import BifrostTestSupport
import Foundation
import Testing

/// Issue 19, finding 2: a connection's write-only credentials cannot be made to go somewhere else. Moving a
/// connection (another token URL, say) discards its client secret and tokens.
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
                    #expect(try await admin(.PUT, "/api/oauth/connections/microsoft", rescoped).object["status"] as? String == "connected")

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
                    #expect(try await admin(.PUT, "/api/oauth/connections/microsoft", moved).object["status"] as? String == "not_connected")
                    #expect(try await admin(.POST, "/api/oauth/connections/microsoft/refresh").status == 409)
                    #expect(attacker.allTokenRequests == 0)
                    #expect(provider.tokenRequests("refresh_token") == 0)
                }
            }
        }
    }
}
