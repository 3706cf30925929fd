import Bifrost
import BifrostGateway
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

/// Role-limited workflows: declared on the workflow, held by users and keys, narrowed per organisation by its
/// admins; one rule for the listing, execute (sync and async), endpoints called with keys and the generated
/// document. Administrators run everything.
@Suite struct WorkflowRoleTests {
    typealias World = OrganizationAndUserTests.World

    /// The fixtures' workflows: two limited to roles, one not.
    static let workflows: [any Workflow.Type] = [HelpdeskReset.self, HelpdeskBatch.self, OpenToAll.self]

    /// A member of `organization` holding `roles`, created through the admin API by `admin`, signed in.
    private static func member(
        _ email: String, roles: [String], by admin: AdminAPITestClient, context: GatewayHarness.Context
    ) async throws -> AdminAPITestClient {
        let created = try await admin(
            .post, "/api/users", ["email": email, "role": "org_member", "workflow_roles": roles])
        #expect(created.status == .created)
        let body = try #require(created.json as? [String: Any])
        #expect(body["workflow_roles"] as? [String] == roles.sorted())
        let id = try #require((body["id"] as? String).flatMap(UUID.init(uuidString:)))
        let user = try #require(
            try await PostgresUserRepository(client: context.database, logger: TestPostgres.logger).find(id: id))
        return try await context.caller(user)
    }

    private static func names(_ caller: AdminAPITestClient) async throws -> Set<String> {
        let listed = try #require(try await caller(.get, "/api/workflows").json as? [[String: Any]])
        return Set(listed.compactMap { $0["name"] as? String })
    }

    private static func execute(_ caller: AdminAPITestClient, _ name: String, mode: String = "sync") async throws
        -> HTTPResponse.Status
    {
        try await caller(.post, "/api/workflows/\(name)/execute", ["input": [:] as [String: Any], "mode": mode]).status
    }

    /// The execute paths of the caller's generated OpenAPI document.
    private static func documentedPaths(_ caller: AdminAPITestClient) async throws -> Set<String> {
        let document = try #require(try await caller(.get, "/api/openapi.json").json as? [String: Any])
        return Set((document["paths"] as? [String: Any])?.keys.map { $0 } ?? [])
    }

    /// Calls an endpoint with an API key.
    private static func callEndpoint(_ client: any TestClientProtocol, _ name: String, key: String) async throws
        -> HTTPResponse.Status
    {
        try await client.execute(
            uri: "/api/endpoints/\(name)", method: .post,
            headers: [HTTPField.Name("X-Bifrost-Key")!: key, .contentType: "application/json"],
            body: ByteBuffer(string: "{}")
        ) { $0.status }
    }

    private static func key(_ admin: AdminAPITestClient, _ body: [String: Any]) async throws -> (
        key: String, roles: [String]?
    ) {
        let created = try await admin(.post, "/api/api-keys", body)
        #expect(created.status == .created)
        let answer = try #require(created.json as? [String: Any])
        return (
            try #require(answer["key"] as? String),
            (answer["api_key"] as? [String: Any])?["workflow_roles"] as? [String]
        )
    }

    @Test func declaredRolesDecideWhatAMemberSeesAndRuns() async throws {
        try await OrganizationAndUserTests.withWorld(extraWorkflows: Self.workflows) { world, context in
            let helpdesk = try await Self.member(
                "helpdesk@contoso.example", roles: ["helpdesk"], by: world.adminA, context: context)
            let without = world.memberA

            // Listing, reading, running (sync, async, an asynchronous workflow) and the document: all or nothing.
            #expect(try await Self.names(without).isDisjoint(with: ["helpdesk_reset", "helpdesk_batch"]))
            #expect(try await Self.names(without).contains("open_to_all"))
            #expect(try await without(.get, "/api/workflows/helpdesk_reset").status == .notFound)
            #expect(try await Self.execute(without, "helpdesk_reset") == .notFound)
            #expect(try await Self.execute(without, "helpdesk_reset", mode: "async") == .notFound)
            #expect(try await Self.execute(without, "helpdesk_batch") == .notFound)
            #expect(try await Self.execute(without, "open_to_all") == .ok)
            let hidden = try await Self.documentedPaths(without)
            #expect(!hidden.contains("/api/workflows/helpdesk_reset/execute"))
            #expect(!hidden.contains("/api/endpoints/helpdesk_reset"))
            #expect(hidden.contains("/api/workflows/open_to_all/execute"))

            #expect(try await Self.names(helpdesk).isSuperset(of: ["helpdesk_reset", "helpdesk_batch", "open_to_all"]))
            let described = try #require(
                try await helpdesk(.get, "/api/workflows/helpdesk_reset").json as? [String: Any])
            #expect(described["roles"] as? [String] == ["helpdesk", "tier2"])
            #expect(described["allowed_roles"] as? [String] == ["helpdesk", "tier2"])
            #expect(try await Self.execute(helpdesk, "helpdesk_reset") == .ok)
            #expect(try await Self.execute(helpdesk, "helpdesk_reset", mode: "async") == .accepted)
            #expect(try await Self.execute(helpdesk, "helpdesk_batch") == .accepted)
            let shown = try await Self.documentedPaths(helpdesk)
            #expect(shown.isSuperset(of: ["/api/workflows/helpdesk_reset/execute", "/api/endpoints/helpdesk_reset"]))

            // Administrators manage the workflows and run them all, holding no role.
            #expect(try await Self.execute(world.adminA, "helpdesk_reset") == .ok)
            #expect(try await Self.execute(world.admin.inOrganization(world.orgA), "helpdesk_reset") == .ok)
            let open = try #require(try await without(.get, "/api/workflows/open_to_all").json as? [String: Any])
            #expect(open["roles"] as? [String] == [])
            #expect(open["allowed_roles"] == nil)
            // In global scope there is no organisation to narrow anything: no `allowed_roles`.
            let global = try #require(
                try await world.admin(.get, "/api/workflows/helpdesk_reset").json as? [String: Any])
            #expect(global["roles"] as? [String] == ["helpdesk", "tier2"])
            #expect(global["allowed_roles"] == nil)
        }
    }

    @Test func keysRunRoleLimitedWorkflowsByTheirOwnRolesNarrowedByTheirWorkflows() async throws {
        try await OrganizationAndUserTests.withWorld(extraWorkflows: Self.workflows) { world, context in
            let plain = try await Self.key(world.adminA, ["name": "plain", "role": "org_member"])
            #expect(plain.roles == [])
            let tier2 = try await Self.key(
                world.adminA, ["name": "tier2", "role": "org_member", "workflow_roles": ["tier2"]])
            #expect(tier2.roles == ["tier2"])
            let narrowed = try await Self.key(
                world.adminA,
                [
                    "name": "narrowed", "role": "org_member", "workflow_roles": ["helpdesk"],
                    "workflows": ["open_to_all"],
                ])
            let admin = try await Self.key(world.adminA, ["name": "admin", "role": "org_admin"])
            let listed = try #require(try await world.adminA(.get, "/api/api-keys").json as? [[String: Any]])
            #expect(listed.first { $0["name"] as? String == "tier2" }?["workflow_roles"] as? [String] == ["tier2"])

            #expect(try await Self.callEndpoint(context.client, "helpdesk_reset", key: plain.key) == .forbidden)
            #expect(try await Self.callEndpoint(context.client, "helpdesk_reset", key: tier2.key) == .ok)
            // The key's list of workflows still narrows what its roles allow.
            #expect(try await Self.callEndpoint(context.client, "helpdesk_reset", key: narrowed.key) == .forbidden)
            #expect(try await Self.callEndpoint(context.client, "helpdesk_reset", key: admin.key) == .ok)

            // The same keys on execute.
            func run(_ key: String) async throws -> HTTPResponse.Status {
                try await context.client.execute(
                    uri: "/api/workflows/helpdesk_reset/execute", method: .post,
                    headers: [HTTPField.Name("X-Bifrost-Key")!: key, .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"input": {}}"#)
                ) { $0.status }
            }
            #expect(try await run(plain.key) == .notFound)
            #expect(try await run(tier2.key) == .ok)
            #expect(try await run(narrowed.key) == .notFound)

            // A signed webhook is the organisation's own grant for its endpoint: no role is asked of it.
            let created = try await world.adminA(.post, "/api/endpoints/helpdesk_reset/secrets")
            #expect(created.status == .created)
            let secret = try #require((created.json as? [String: Any])?["secret"] as? String)
            let sender = try #require(WebhookSender(secret: secret))
            var headers = HTTPFields()
            for (name, value) in sender.headers(for: "{}") { headers[HTTPField.Name(name)!] = value }
            let signed = try await context.client.execute(
                uri: "/api/endpoints/helpdesk_reset", method: .post, headers: headers, body: ByteBuffer(string: "{}")
            ) { $0.status }
            #expect(signed == .ok)
        }
    }

    @Test func narrowingIsPerOrganizationAndNeverWidens() async throws {
        try await OrganizationAndUserTests.withWorld(extraWorkflows: Self.workflows) { world, context in
            let helpdeskA = try await Self.member(
                "helpdesk@contoso.example", roles: ["helpdesk"], by: world.adminA, context: context)
            let tier2A = try await Self.member(
                "tier2@contoso.example", roles: ["tier2"], by: world.adminA, context: context)
            let helpdeskB = try await Self.member(
                "helpdesk@fabrikam.example", roles: ["helpdesk"], by: world.adminB, context: context)
            let access = "/api/workflows/helpdesk_reset/access"

            let before = try #require(try await world.adminA(.get, access).json as? [String: Any])
            #expect(before["declared_roles"] as? [String] == ["helpdesk", "tier2"])
            #expect(before["organization_roles"] == nil)
            #expect(before["effective_roles"] as? [String] == ["helpdesk", "tier2"])
            #expect(before["limited"] as? Bool == true)
            #expect(before["organization_id"] as? String == world.orgA.uuidString.lowercased())

            let narrowed = try await world.adminA(.put, access, ["roles": ["tier2"]])
            #expect(narrowed.status == .ok)
            let body = try #require(narrowed.json as? [String: Any])
            #expect(body["organization_roles"] as? [String] == ["tier2"])
            #expect(body["effective_roles"] as? [String] == ["tier2"])

            // Organisation A: only tier2 now. Organisation B is untouched.
            #expect(try await Self.execute(helpdeskA, "helpdesk_reset") == .notFound)
            #expect(try await helpdeskA(.get, "/api/workflows/helpdesk_reset").status == .notFound)
            #expect(try await Self.execute(tier2A, "helpdesk_reset") == .ok)
            #expect(try await Self.execute(helpdeskB, "helpdesk_reset") == .ok)
            let seenByB = try #require(try await world.adminB(.get, access).json as? [String: Any])
            #expect(seenByB["organization_roles"] == nil)
            #expect(seenByB["effective_roles"] as? [String] == ["helpdesk", "tier2"])
            let listedForA = try #require(
                try await world.adminA(.get, "/api/workflows/helpdesk_reset").json as? [String: Any])
            #expect(listedForA["allowed_roles"] as? [String] == ["tier2"])

            // A narrowing never widens, and is never empty (DELETE clears it).
            for refused in [
                ["roles": ["provisioning"]], ["roles": ["tier2", "provisioning"]], ["roles": [] as [String]],
            ] {
                let answer = try await world.adminA(.put, access, refused)
                #expect(answer.status == .unprocessableContent, "\(refused)")
                let fields = ((answer.json as? [String: Any])?["errors"] as? [[String: Any]])?.compactMap {
                    $0["field"] as? String
                }
                #expect(fields?.allSatisfy { $0.hasPrefix("roles") } == true, "\(refused)")
            }
            #expect(try await world.adminA(.put, access, ["roles": ["Tier 2"]]).status == .unprocessableContent)
            #expect(
                try await world.adminA(.put, access, ["roles": ["tier2"], "extra": 1]).status == .unprocessableContent)
            #expect(try await world.adminA(.put, "/api/workflows/no_such/access", ["roles": ["x"]]).status == .notFound)

            // A workflow that declares no role can be limited by an organisation to any role.
            #expect(try await Self.execute(world.memberA, "open_to_all") == .ok)
            let limited = try await world.adminA(.put, "/api/workflows/open_to_all/access", ["roles": ["helpdesk"]])
            #expect((limited.json as? [String: Any])?["effective_roles"] as? [String] == ["helpdesk"])
            #expect(try await Self.execute(world.memberA, "open_to_all") == .notFound)
            #expect(try await Self.names(world.memberA).contains("open_to_all") == false)
            #expect(try await Self.execute(helpdeskA, "open_to_all") == .ok)

            // Clearing brings the declared roles back; clearing again finds nothing.
            #expect(try await world.adminA(.delete, access).status == .noContent)
            #expect(try await world.adminA(.delete, access).status == .notFound)
            #expect(try await Self.execute(helpdeskA, "helpdesk_reset") == .ok)

            let rows = try await context.database.query(
                """
                SELECT action, target_id, organization_id FROM audit_events
                WHERE action LIKE 'workflow.access%' ORDER BY id
                """,
                logger: TestPostgres.logger
            )
            var audited: [String] = []
            for try await (action, target, organization) in rows.decode((String, String, UUID?).self) {
                #expect(organization == world.orgA)
                audited.append("\(action) \(target)")
            }
            #expect(
                audited == [
                    "workflow.access_set helpdesk_reset", "workflow.access_set open_to_all",
                    "workflow.access_cleared helpdesk_reset",
                ])
        }
    }

    @Test func onlyTheOrganizationsAdminsReadOrChangeItsNarrowing() async throws {
        try await OrganizationAndUserTests.withWorld(extraWorkflows: Self.workflows) { world, _ in
            let access = "/api/workflows/helpdesk_reset/access"
            #expect(try await world.memberA(.get, access).status == .forbidden)
            #expect(try await world.memberA(.put, access, ["roles": ["tier2"]]).status == .forbidden)
            #expect(try await world.memberA(.delete, access).status == .forbidden)
            // Organisation B's admin reaches only B: naming A is refused, B's own is a separate narrowing.
            let intoA = world.adminB.inOrganization(world.orgA)
            #expect(try await intoA(.get, access).status == .forbidden)
            #expect(try await intoA(.put, access, ["roles": ["tier2"]]).status == .forbidden)
            #expect(try await intoA(.delete, access).status == .forbidden)
            // Platform admins act in the organisation they pick; in global scope there is nothing to narrow.
            #expect(try await world.admin(.get, access).status == .unprocessableContent)
            #expect(try await world.admin(.put, access, ["roles": ["tier2"]]).status == .unprocessableContent)
            let picked = try await world.admin.inOrganization(world.orgA)(.put, access, ["roles": ["helpdesk"]])
            #expect(picked.status == .ok)
            let seenByA = try #require(try await world.adminA(.get, access).json as? [String: Any])
            #expect(seenByA["organization_roles"] as? [String] == ["helpdesk"])
            #expect((try await world.adminB(.get, access).json as? [String: Any])?["organization_roles"] == nil)
            #expect(try await world.adminB(.delete, access).status == .notFound)
            #expect(
                (try await world.adminA(.get, access).json as? [String: Any])?["organization_roles"] as? [String]
                    == ["helpdesk"])
        }
    }

    @Test func heldRolesAreValidatedNamingTheField() async throws {
        try await OrganizationAndUserTests.withWorld(extraWorkflows: Self.workflows) { world, _ in
            func fields(_ answer: (status: HTTPResponse.Status, json: Any?)) -> [String] {
                #expect(answer.status == .unprocessableContent)
                return ((answer.json as? [String: Any])?["errors"] as? [[String: Any]])?.compactMap {
                    $0["field"] as? String
                } ?? []
            }
            let tooMany = (0...32).map { "role\($0)" }
            for roles in [["Helpdesk"], ["help desk"], [String(repeating: "a", count: 65)], tooMany] {
                let user = fields(
                    try await world.adminA(
                        .post, "/api/users",
                        ["email": "x@contoso.example", "role": "org_member", "workflow_roles": roles]
                    ))
                #expect(!user.isEmpty && user.allSatisfy { $0.hasPrefix("workflow_roles") }, "\(roles)")
                let key = fields(
                    try await world.adminA(
                        .post, "/api/api-keys", ["name": "k", "role": "org_member", "workflow_roles": roles]))
                #expect(!key.isEmpty && key.allSatisfy { $0.hasPrefix("workflow_roles") }, "\(roles)")
            }
            let id = try #require(
                (try await world.adminA(.post, "/api/users", ["email": "y@contoso.example", "role": "org_member"]).json
                    as? [String: Any])?["id"] as? String)
            #expect(
                fields(try await world.adminA(.patch, "/api/users/\(id)", ["workflow_roles": ["No!"]])).allSatisfy {
                    $0.hasPrefix("workflow_roles")
                })
            // Thirty-two valid roles are fine; an update replaces the set; the roles come back sorted.
            let most = (0..<32).map { "role\($0)" }
            let updated = try await world.adminA(.patch, "/api/users/\(id)", ["workflow_roles": most])
            #expect(updated.status == .ok)
            #expect((updated.json as? [String: Any])?["workflow_roles"] as? [String] == most.sorted())
            let replaced = try await world.adminA(
                .patch, "/api/users/\(id)", ["workflow_roles": ["tier2", "helpdesk"]])
            #expect((replaced.json as? [String: Any])?["workflow_roles"] as? [String] == ["helpdesk", "tier2"])
            let untouched = try await world.adminA(.patch, "/api/users/\(id)", ["name": "Y"])
            #expect((untouched.json as? [String: Any])?["workflow_roles"] as? [String] == ["helpdesk", "tier2"])
            // Organisation B's admin cannot hand roles to A's users.
            #expect(
                try await world.adminB(.patch, "/api/users/\(id)", ["workflow_roles": ["helpdesk"]]).status == .notFound
            )
        }
    }

    @Test func aRoleGrantedToAMemberAppliesToTheirNextRequest() async throws {
        try await OrganizationAndUserTests.withWorld(extraWorkflows: Self.workflows) { world, _ in
            let before = try await Self.execute(world.memberA, "helpdesk_reset")
            #expect(before == .notFound)
            let id = world.userA.id.uuidString.lowercased()
            #expect(try await world.adminA(.patch, "/api/users/\(id)", ["workflow_roles": ["tier2"]]).status == .ok)
            #expect(try await Self.execute(world.memberA, "helpdesk_reset") == .ok)
            #expect(
                try await world.adminA(.patch, "/api/users/\(id)", ["workflow_roles": [] as [String]]).status == .ok)
            #expect(try await Self.execute(world.memberA, "helpdesk_reset") == .notFound)
        }
    }

    @Test func aNarrowingMadeThroughOneReplicaReachesAnother() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            try await SecondReplica.with(database: context.database) { replica in
                func narrowing() async throws -> Set<String>? {
                    try await replica.workflowAccess.narrowings(for: .organization(world.orgA))
                        .roles["create_user_with_license"]
                }
                let before = try await narrowing()
                #expect(before == nil)  // read, and now cached on the replica for five minutes
                let access = "/api/workflows/create_user_with_license/access"
                #expect(try await world.adminA(.put, access, ["roles": ["provisioning"]]).status == .ok)
                // Well within the cache's lifetime, so only the notification can make these hold.
                #expect(try await eventually(within: .seconds(20)) { try await narrowing() == ["provisioning"] })
                #expect(try await world.adminA(.delete, access).status == .noContent)
                #expect(try await eventually(within: .seconds(20)) { try await narrowing() == nil })
                // Another organisation's cached narrowings are not read again for A's change, and stay right.
                #expect(
                    try await replica.workflowAccess.narrowings(for: .organization(world.orgB)).roles.isEmpty)
            }
        }
    }
}

// MARK: - Fixtures

/// Limited to two roles; an endpoint too.
struct HelpdeskReset: Workflow {
    static let configuration = WorkflowConfiguration(
        "helpdesk_reset", description: "Role fixture", endpoint: .post, roles: ["helpdesk", "tier2"])
    func run(_ context: ExecutionContext) async throws -> JSONValue { ["reset": true] }
}

/// Limited to one role, and queued.
struct HelpdeskBatch: Workflow {
    static let configuration = WorkflowConfiguration(
        "helpdesk_batch", description: "Role fixture", mode: .async, roles: ["helpdesk"])
    func run(_ context: ExecutionContext) async throws -> JSONValue { ["done": true] }
}

/// Declares no role.
struct OpenToAll: Workflow {
    static let configuration = WorkflowConfiguration("open_to_all", description: "Role fixture")
    func run(_ context: ExecutionContext) async throws -> JSONValue { ["open": true] }
}
