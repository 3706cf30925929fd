import Bifrost
import BifrostGateway
import BifrostOAuth
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite struct OrganizationAndUserTests {
    /// A platform admin, two organisations with an admin and a member each, and their clients.
    struct World {
        var admin: AdminAPITestClient
        var orgA: UUID
        var orgB: UUID
        var adminA: AdminAPITestClient
        var memberA: AdminAPITestClient
        var adminB: AdminAPITestClient
        var userA: User
    }

    static func withWorld(
        oauthProviders: OAuthProviderCatalogue? = nil, extraWorkflows: [any Workflow.Type] = [],
        _ body: @Sendable (World, GatewayHarness.Context) async throws -> Void
    ) async throws {
        try await GatewayHarness.withGatewayAndDatabase(
            extraWorkflows: extraWorkflows, oauthProviders: oauthProviders
        ) { client, context in
            let db = context.database
            let orgA = try await AuthFixtures.createOrganization("Contoso", on: db)
            let orgB = try await AuthFixtures.createOrganization("Fabrikam", on: db)
            let platform = try await AuthFixtures.createUser("root@msp.example", role: .platformAdmin, on: db)
            let adminA = try await AuthFixtures.createUser(
                "admin@contoso.example", role: .orgAdmin, organization: orgA, on: db)
            let memberA = try await AuthFixtures.createUser(
                "member@contoso.example", role: .orgMember, organization: orgA, on: db)
            let adminB = try await AuthFixtures.createUser(
                "admin@fabrikam.example", role: .orgAdmin, organization: orgB, on: db)
            let world = World(
                admin: try await context.caller(platform), orgA: orgA, orgB: orgB,
                adminA: try await context.caller(adminA),
                memberA: try await context.caller(memberA), adminB: try await context.caller(adminB), userA: memberA
            )
            try await body(world, context)
        }
    }

    @Test func platformAdminManagesOrganizationsAndNamesAreUnique() async throws {
        try await Self.withWorld { world, context in
            let created = try await world.admin(
                .post, "/api/organizations", ["name": "Northwind", "domain": "northwind.example"])
            #expect(created.status == .created)
            let id = try #require((created.json as? [String: Any])?["id"] as? String)
            #expect(try await world.admin(.post, "/api/organizations", ["name": "northwind"]).status == .conflict)
            #expect(try await world.admin(.post, "/api/organizations", ["name": ""]).status == .unprocessableContent)
            #expect(
                try await world.admin(.post, "/api/organizations", ["name": "X", "colour": "red"]).status
                    == .unprocessableContent)
            let renamed = try await world.admin(
                .patch, "/api/organizations/\(id)", ["name": "Northwind Traders", "is_active": false])
            #expect((renamed.json as? [String: Any])?["name"] as? String == "Northwind Traders")
            #expect((renamed.json as? [String: Any])?["is_active"] as? Bool == false)
            let list = try await world.admin(.get, "/api/organizations")
            #expect(
                (list.json as? [[String: Any]])?.compactMap { $0["name"] as? String } == [
                    "Contoso", "Fabrikam", "Northwind Traders",
                ])
            #expect(try await world.admin(.delete, "/api/organizations/\(id)").status == .noContent)
            #expect(try await world.admin(.get, "/api/organizations/\(id)").status == .notFound)

            let rows = try await context.database.query(
                "SELECT action FROM audit_events WHERE target_kind = 'organization' ORDER BY id",
                logger: TestPostgres.logger
            )
            var actions: [String] = []
            for try await action in rows.decode(String.self) { actions.append(action) }
            #expect(actions == ["organization.create", "organization.update", "organization.delete"])
        }
    }

    @Test func deletingAnOrganizationWithDataNeedsForce() async throws {
        try await Self.withWorld { world, _ in
            let conflict = try await world.admin(.delete, "/api/organizations/\(world.orgA)")
            #expect(conflict.status == .conflict)
            #expect(try await world.admin(.delete, "/api/organizations/\(world.orgA)?force=true").status == .noContent)
            #expect(try await world.adminA(.get, "/auth/me").status == .unauthorized)
        }
    }

    @Test func orgUsersCannotReachOrganizationsOrGlobalScope() async throws {
        try await Self.withWorld { world, _ in
            for caller in [world.adminA, world.memberA] {
                #expect(try await caller(.get, "/api/organizations").status == .forbidden)
                #expect(try await caller(.post, "/api/organizations", ["name": "Evil"]).status == .forbidden)
                #expect(try await caller(.get, "/api/organizations/\(world.orgA)").status == .forbidden)
            }
            #expect(try await world.adminA(.get, "/api/users?scope=all").status == .forbidden)
            #expect(try await world.adminA.inOrganization(world.orgB)(.get, "/api/users").status == .forbidden)
            let escalate = try await world.adminA(
                .post, "/api/users", ["email": "x@contoso.example", "role": "platform_admin"])
            #expect(escalate.status == .forbidden)
        }
    }

    @Test func orgAdminManagesOnlyTheirOwnOrganizationsUsers() async throws {
        try await Self.withWorld { world, _ in
            let created = try await world.adminA(
                .post, "/api/users",
                ["email": "new@contoso.example", "role": "org_member", "password": "long enough password"]
            )
            #expect(created.status == .created)
            let body = try #require(created.json as? [String: Any])
            #expect(body["organization_id"] as? String == world.orgA.uuidString.lowercased())
            #expect(body["password"] == nil && body["password_hash"] == nil)
            let id = try #require(body["id"] as? String)

            let listA = try await world.adminA(.get, "/api/users")
            let emailsA = (listA.json as? [[String: Any]])?.compactMap { $0["email"] as? String }
            #expect(emailsA == ["admin@contoso.example", "member@contoso.example", "new@contoso.example"])

            // Organisation B sees none of A's users, and reaches none of them.
            let listB = try await world.adminB(.get, "/api/users")
            #expect(
                (listB.json as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["admin@fabrikam.example"])
            #expect(try await world.adminB(.get, "/api/users/\(id)").status == .notFound)
            #expect(try await world.adminB(.patch, "/api/users/\(id)", ["name": "pwned"]).status == .notFound)
            #expect(try await world.adminB(.delete, "/api/users/\(id)").status == .notFound)

            #expect(try await world.adminA(.patch, "/api/users/\(id)", ["role": "org_admin"]).status == .ok)
            #expect(try await world.memberA(.get, "/api/users").status == .forbidden)
            #expect(try await world.adminA(.delete, "/api/users/\(id)").status == .noContent)
            #expect(try await world.adminA(.get, "/api/users/\(id)").status == .notFound)
        }
    }

    @Test func emailsAreUniqueWhateverTheirCase() async throws {
        try await Self.withWorld { world, _ in
            let duplicate = try await world.adminB(
                .post, "/api/users", ["email": "ADMIN@contoso.example", "role": "org_member"])
            #expect(duplicate.status == .conflict)
        }
    }

    @Test func platformAdminActsInAnOrganizationOrListsEverything() async throws {
        try await Self.withWorld { world, _ in
            let inA = try await world.admin.inOrganization(world.orgA)(
                .post, "/api/users", ["email": "helper@contoso.example", "role": "org_admin"])
            #expect(inA.status == .created)
            #expect((inA.json as? [String: Any])?["organization_id"] as? String == world.orgA.uuidString.lowercased())
            let global = try await world.admin(.get, "/api/users")
            #expect((global.json as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["root@msp.example"])
            let all = try await world.admin(.get, "/api/users?scope=all")
            #expect((all.json as? [[String: Any]])?.count == 5)
            let orgUserInGlobal = try await world.admin(
                .post, "/api/users", ["email": "lost@x.example", "role": "org_member"])
            #expect(orgUserInGlobal.status == .badRequest)
            let secondAdmin = try await world.admin(
                .post, "/api/users", ["email": "ops@msp.example", "role": "platform_admin"])
            #expect(secondAdmin.status == .created)
        }
    }

    @Test func deactivatedOrganizationsUsersAreRefused() async throws {
        try await Self.withWorld { world, _ in
            let before = try await world.memberA(.get, "/auth/me")
            #expect(before.status == .ok)
            let deactivated = try await world.admin(.patch, "/api/organizations/\(world.orgA)", ["is_active": false])
            #expect(deactivated.status == .ok)
            let after = try await world.memberA(.get, "/auth/me")
            #expect(after.status == .unauthorized)
            let other = try await world.adminB(.get, "/auth/me")
            #expect(other.status == .ok)
        }
    }

    @Test func callersCannotLockThemselvesOut() async throws {
        try await Self.withWorld { world, _ in
            let me = try #require(try await world.adminA(.get, "/auth/me").json as? [String: Any])
            let id = try #require(me["user_id"] as? String)
            #expect(try await world.adminA(.patch, "/api/users/\(id)", ["is_active": false]).status == .conflict)
            #expect(try await world.adminA(.patch, "/api/users/\(id)", ["role": "org_member"]).status == .conflict)
            #expect(try await world.adminA(.delete, "/api/users/\(id)").status == .conflict)
            #expect(try await world.adminA(.patch, "/api/users/\(id)", ["name": "Still me"]).status == .ok)
            #expect(try await world.adminA(.get, "/auth/me").status == .ok)
            // Another admin may still deactivate them.
            #expect(
                try await world.admin.inOrganization(world.orgA)(.patch, "/api/users/\(id)", ["is_active": false])
                    .status == .ok)
        }
    }
}
