import BifrostTestSupport
import Foundation
import Testing

/// Issue 19, finding 3: creating, changing or deleting an OAuth connection on one replica changes which token
/// runs on every other replica get, at once, not when the cached token nears expiry (an hour here).
@Suite struct OAuthReplicaInvalidationTests {
    @Test func everyReplicaForgetsCachedTokensWhenAConnectionIsCreatedChangedOrDeleted() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await OAuthGateway.with(provider) { world in
                let platform = world.platform
                let shared = OAuthGateway.connection("microsoft", provider, extra: ["shared_with_organizations": true])
                #expect(try await platform(.POST, "/api/oauth/connections", shared).status == 201)
                let (organization, admin) = try await world.organization("Contoso")
                try await world.gateway.withReplica { (replica: RunningGateway) async throws in
                    let onReplica = admin.on(replica.baseURL)
                    let global = ["adele@contoso.example", "alex@contoso.example"]
                    #expect(OAuthGateway.emails(try await OAuthGateway.listUsers(as: onReplica)) == global)

                    // The organisation gets a connection of its own (another client) through the first replica.
                    provider.register(clientID: "contoso-own", secret: "contoso-own-secret")
                    let own = OAuthGateway.connection(
                        "microsoft", provider,
                        extra: ["client_id": "contoso-own", "client_secret": "contoso-own-secret"]
                    )
                    #expect(
                        try await platform.inOrganization(organization)(.POST, "/api/oauth/connections", own).status
                            == 201)
                    let ownEmails = ["adele@contoso-own.example", "alex@contoso-own.example"]
                    #expect(try await Self.eventually(as: onReplica) { OAuthGateway.emails($0) == ownEmails })

                    // Deleted: back to the shared global connection.
                    #expect(try await admin(.DELETE, "/api/oauth/connections/microsoft").status == 204)
                    #expect(try await Self.eventually(as: onReplica) { OAuthGateway.emails($0) == global })

                    // No longer shared: no token for the organisation.
                    var unshared = shared
                    unshared["shared_with_organizations"] = false
                    #expect(try await platform(.PUT, "/api/oauth/connections/microsoft", unshared).status == 200)
                    #expect(try await Self.eventually(as: onReplica) { $0["status"] as? String == "Failed" })
                }
            }
        }
    }

    /// Runs `list_m365_users` as `caller` until its answer satisfies `condition`, for up to 30 s (a cached token
    /// would last an hour). - Returns: whether it did.
    private static func eventually(as caller: APICaller, _ condition: ([String: Any]) -> Bool) async throws -> Bool {
        try await BifrostTestSupport.eventually(within: .seconds(30), every: .milliseconds(50)) {
            condition(try await OAuthGateway.listUsers(as: caller))
        }
    }
}
