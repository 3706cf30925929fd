import BifrostTestSupport
import Foundation
import Testing

/// Issue 19, finding 1: an organisation admin cannot have a token of the platform's (or anyone's) sent to a host
/// of their choosing. Runs of an organisation without its own connection get a global one only when a platform
/// admin shares it, and `list_m365_users` sends the token only to the Graph address the operator's catalogue
/// declares, whatever the organisation's configuration says.
@Suite struct OAuthTokenDestinationTests {
    @Test func anOrganisationAdminCannotSendThePlatformsTokenToAHostTheyChose() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await FakeOAuthProvider.withProvider { attacker in
                try await OAuthGateway.with(provider) { world in
                    let platform = world.platform
                    let global = try await platform(
                        .POST, "/api/oauth/connections", OAuthGateway.connection("microsoft", provider))
                    #expect(global.status == 201, "\(global.object)")
                    #expect(global.object["shared_with_organizations"] as? Bool == false)
                    let (organization, admin) = try await world.organization("Contoso")
                    #expect(
                        try await admin(
                            .PUT, "/api/config/graph_base_url", ["value": attacker.baseURL, "type": "string"]
                        ).status == 200)

                    // Not shared: the organisation's run has no "microsoft" connection, and no token went anywhere.
                    let unshared = try await OAuthGateway.listUsers(as: admin)
                    #expect(unshared["status"] as? String == "Failed", "\(unshared)")
                    #expect(
                        (unshared["error"] as? String)?.contains("no \"microsoft\" OAuth connection") == true,
                        "\(unshared)")
                    #expect(attacker.graphRequests == 0)
                    #expect(provider.allTokenRequests == 0)

                    // An organisation cannot share, and a platform admin cannot share an organisation's connection.
                    let sharing = OAuthGateway.connection("other", provider, extra: ["shared_with_organizations": true])
                    let refused = try await admin(.POST, "/api/oauth/connections", sharing)
                    #expect(refused.status == 422)
                    #expect(
                        (refused.object["errors"] as? [[String: Any]])?.first?["field"] as? String
                            == "shared_with_organizations")
                    #expect(
                        try await platform.inOrganization(organization)(.POST, "/api/oauth/connections", sharing).status
                            == 422)

                    // Shared by the platform: the run gets the token and sends it to the catalogue's Graph only.
                    let shared = try await platform(
                        .PUT, "/api/oauth/connections/microsoft",
                        OAuthGateway.connection("microsoft", provider, extra: ["shared_with_organizations": true])
                    )
                    #expect(shared.object["shared_with_organizations"] as? Bool == true, "\(shared.object)")
                    let run = try await OAuthGateway.listUsers(as: admin)
                    #expect(OAuthGateway.emails(run) == ["adele@contoso.example", "alex@contoso.example"], "\(run)")
                    #expect(provider.graphRequests == 1)
                    #expect(attacker.graphRequests == 0)
                }
            }
        }
    }
}
