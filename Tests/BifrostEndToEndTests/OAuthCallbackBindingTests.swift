import BifrostTestSupport
import Foundation
import Testing

/// Issue 19, finding 4: an authorization completes only for whoever started it. An admin who sends the provider
/// address they got to someone else cannot have that person's account connected to their organisation.
@Suite struct OAuthCallbackBindingTests {
    @Test func aCraftedAuthorizationLinkOpenedBySomeoneElseConnectsNothing() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await OAuthGateway.with(provider) { world in
                let (_, attacker) = try await world.organization("Mallory")
                let (_, victim) = try await world.organization("Contoso")
                let settings = OAuthGateway.connection("microsoft", provider, flow: "authorization_code")
                #expect(try await attacker(.POST, "/api/oauth/connections", settings).status == 201)

                // The attacker starts an authorization and sends its address to the victim, whose browser (no
                // cookie of the attacker's) follows it and comes back from the provider.
                let (given, url) = try await OAuthGateway.authorize("microsoft", as: attacker)
                let browser = APICaller(base: world.gateway.baseURL, token: nil)
                #expect(try await browser(.GET, try await OAuthGateway.browse(url)).status == 403)
                // Signed in as themselves, the victim is not the starter either.
                let (_, second) = try await OAuthGateway.authorize("microsoft", as: attacker)
                #expect(try await victim(.GET, try await OAuthGateway.browse(second)).status == 403)
                // A cookie of another authorization does not fit.
                let cookie = try #require(given, "the authorization set no cookie")
                #expect(cookie.hasPrefix("bifrost_oauth_"))
                let (_, third) = try await OAuthGateway.authorize("microsoft", as: attacker)
                #expect(
                    try await browser(.GET, try await OAuthGateway.browse(third), headers: ["Cookie": cookie]).status
                        == 403)
                #expect(provider.tokenRequests("authorization_code") == 0)
                let unchanged = try await attacker(.GET, "/api/oauth/connections/microsoft")
                #expect(unchanged.object["status"] as? String == "not_connected")

                // The starter's own browser, with the cookie, completes it; so does the starter signed in.
                let (ownGiven, own) = try await OAuthGateway.authorize("microsoft", as: attacker)
                let ownCookie = try #require(ownGiven)
                let completed = try await browser(
                    .GET, try await OAuthGateway.browse(own), headers: ["Cookie": "a=b; \(ownCookie)"])
                #expect(completed.status == 200, "\(completed.object)")
                #expect(completed.headers.first(name: "Set-Cookie")?.contains("Max-Age=0") == true)
                let (_, signedIn) = try await OAuthGateway.authorize("microsoft", as: attacker)
                #expect(try await attacker(.GET, try await OAuthGateway.browse(signedIn)).status == 200)
                #expect(provider.tokenRequests("authorization_code") == 2)
            }
        }
    }

    @Test func theCookieIsHttpOnlyLaxScopedToTheCallbackAndSecureBehindHTTPS() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await OAuthGateway.with(
                provider,
                environment: ["BIFROST_OAUTH_REDIRECT_URI": "https://gateway.example/bifrost/api/oauth/callback"]
            ) { world in
                let settings = OAuthGateway.connection("microsoft", provider, flow: "authorization_code")
                #expect(try await world.platform(.POST, "/api/oauth/connections", settings).status == 201)
                let answer = try await world.platform(.POST, "/api/oauth/connections/microsoft/authorize")
                let cookie = try #require(answer.headers.first(name: "Set-Cookie"))
                let attributes = Set(
                    cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(
                    attributes == [
                        "Max-Age=600", "Path=/bifrost/api/oauth/callback", "HttpOnly", "SameSite=Lax", "Secure",
                    ])
            }
        }
    }
}
