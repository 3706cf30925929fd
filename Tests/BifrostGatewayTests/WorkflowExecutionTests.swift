import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostStore
import BifrostTestSupport
import ExampleWorkflows
import Foundation
import HTTPTypes
import Synchronization
import Testing

/// The seed's examples and the execution engine, through the HTTP API, against a real database.
@Suite struct WorkflowExecutionTests {
    typealias World = OrganizationAndUserTests.World

    private func execute(_ caller: AdminAPITestClient, _ name: String, _ input: [String: Any]) async throws
        -> (status: HTTPResponse.Status, body: [String: Any])
    {
        let (status, json) = try await caller(.post, "/api/workflows/\(name)/execute", ["input": input])
        return (status, json as? [String: Any] ?? [:])
    }

    @Test func theSeedExamplesRunAndAreRecordedWithTheirLogs() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            let member = world.memberA
            let created = try await execute(member, "create_user", ["email": "new.hire@contoso.example"])
            #expect(created.status == .ok)
            #expect(created.body["status"] as? String == "Success")
            let userID = try #require((created.body["result"] as? [String: Any])?["user_id"] as? String)
            #expect(userID.hasPrefix("usr_"))

            let lookup = try await execute(member, "quick_lookup", ["id": "42"])
            #expect((lookup.body["result"] as? [String: Any])?["result"] as? String == "record 42")
            let assigned = try await execute(member, "assign_user", ["department": "eng"])
            #expect((assigned.body["result"] as? [String: Any])?["assigned_to"] as? String == "eng")
            // It is limited to the `provisioning` workflow role, which the member does not hold; admins run it.
            let refused = try await execute(
                member, "create_user_with_license", ["email": "a@contoso.example", "sku": "E5"])
            #expect(refused.status == .notFound)
            // It creates the user in Microsoft 365, and this organisation has no `microsoft` connection.
            let licensed = try await execute(
                world.adminA, "create_user_with_license", ["email": "a@contoso.example", "sku": "E5"])
            #expect(licensed.body["status"] as? String == "Failed")
            #expect(
                licensed.body["error"] as? String
                    == "This organisation has no \"microsoft\" OAuth connection with an API address")

            // The record and its log.
            let id = try #require(created.body["execution_id"] as? String)
            let (recordStatus, record) = try await member(.get, "/api/executions/\(id)")
            #expect(recordStatus == .ok)
            let recorded = try #require(record as? [String: Any])
            #expect(recorded["workflow"] as? String == "create_user")
            #expect(recorded["organization_id"] as? String == world.orgA.uuidString.lowercased())
            #expect((recorded["input"] as? [String: Any])?["email"] as? String == "new.hire@contoso.example")
            #expect(recorded["started_by"] as? String == "member@contoso.example")
            let (_, logs) = try await member(.get, "/api/executions/\(id)/logs")
            let lines = try #require(logs as? [[String: Any]])
            #expect(lines.map { $0["message"] as? String } == ["Created user: \(userID)"])
        }
    }

    @Test func everyStatusIsReachedAndRecorded() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            let member = world.memberA
            let partial = try await execute(
                member, "process_items", ["items": [["id": 1], ["name": "no id"], ["id": 3]]])
            #expect(partial.body["status"] as? String == "CompletedWithErrors")
            let result = try #require(partial.body["result"] as? [String: Any])
            #expect(result["processed"] as? Int == 2)
            #expect(result["failed"] as? Int == 1)
            #expect(result["success"] as? Bool == false)

            let failed = try await execute(member, "always_fail", ["message": "the printer is on fire"])
            #expect(failed.status == .ok)
            #expect(failed.body["status"] as? String == "Failed")
            #expect(failed.body["error"] as? String == "the printer is on fire")

            // wait_for's timeout is 2 s: asking for 30 s can only end as Timeout (a finished wait would be Success).
            let timedOut = try await execute(member, "wait_for", ["seconds": 30])
            #expect(timedOut.body["status"] as? String == "Timeout")
            #expect((timedOut.body["error"] as? String)?.contains("timeout of 2 s") == true)

            let waited = try await execute(member, "wait_for", ["seconds": 0.01])
            #expect(waited.body["status"] as? String == "Success")
            #expect((waited.body["result"] as? [String: Any])?["waited"] as? Double == 0.01)

            let (_, page) = try await member(.get, "/api/executions?status=Timeout")
            let items = try #require((page as? [String: Any])?["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["workflow"] as? String == "wait_for")
        }
    }

    @Test func inputErrorsNameEveryWrongField() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            let member = world.memberA
            func fields(_ name: String, _ input: [String: Any]) async throws -> [String: String] {
                let (status, body) = try await execute(member, name, input)
                #expect(status == .unprocessableContent, "\(name) \(input)")
                let errors = body["errors"] as? [[String: Any]] ?? []
                return Dictionary(errors.map { ($0["field"] as? String ?? "", $0["message"] as? String ?? "") }) { $1 }
            }
            #expect(try await fields("create_user", [:])["email"] == "is required")
            #expect(try await fields("create_user", ["email": "not an address"])["email"] == "must be an email address")
            #expect(try await fields("create_user", ["email": 7])["email"] == "must be a string")
            let several = try await fields("create_user", ["email": "x@y", "colour": "red"])
            #expect(several["email"] == "must be an email address")
            #expect(several["colour"]?.contains("is not a parameter") == true)
            #expect(try await fields("wait_for", ["seconds": -1])["seconds"] == "must be at least 0")
            #expect(try await fields("wait_for", ["seconds": 4000])["seconds"] == "must be at most 3600")
            #expect(try await fields("wait_for", ["seconds": "soon"])["seconds"] == "must be a number")
            #expect(try await fields("bulk_import", ["items": "a,b"])["items"] == "must be a list")
        }
    }

    @Test func validationRulesOfTheCatalogueAreEnforced() throws {
        let catalogue = try WorkflowCatalogue(workflows: [Signup.self], dataProviders: [])
        let entry = try #require(catalogue.workflows["signup"])
        func problems(_ input: [String: JSONValue]) -> [String: String] {
            do {
                _ = try entry.validate(input)
                return [:]
            } catch let invalid as InvalidInput {
                return Dictionary(invalid.problems.map { ($0.field, $0.message) }) { $1 }
            } catch {
                return ["?": "\(error)"]
            }
        }
        let good: [String: JSONValue] = [
            "username": "ada_l", "quantity": 5, "plan": "pro", "ratio": 0.5, "opt_in": true,
        ]
        #expect(problems(good).isEmpty)
        let filled = try entry.validate(["username": "ada_l", "quantity": 5, "plan": "pro"])
        #expect(filled["ratio"] == .double(1.5))
        #expect(filled["opt_in"] == .null)
        #expect(problems(good.merging(["username": "ab"]) { $1 })["username"] == "must have at least 3 characters")
        #expect(
            problems(good.merging(["username": .string(String(repeating: "a", count: 51))]) { $1 })["username"]
                == "must have at most 50 characters")
        #expect(problems(good.merging(["username": "ada-l"]) { $1 })["username"] == "must match ^[a-zA-Z0-9_]+$")
        #expect(problems(good.merging(["quantity": 0]) { $1 })["quantity"] == "must be at least 1")
        #expect(problems(good.merging(["quantity": 1001]) { $1 })["quantity"] == "must be at most 1000")
        #expect(problems(good.merging(["quantity": 1.5]) { $1 })["quantity"] == "must be an integer")
        #expect(problems(good.merging(["plan": "gold"]) { $1 })["plan"] == "must be one of free, pro")
        #expect(problems(good.merging(["opt_in": "yes"]) { $1 })["opt_in"] == "must be true or false")

        let listed = try #require(entry.parameters.first { $0.name == "quantity" })
        #expect(listed.displayLabel == "Quantity")
        #expect(entry.parameters.first { $0.name == "opt_in" }?.displayLabel == "Opt In")
        #expect(entry.parameters.first { $0.name == "username" }?.displayLabel == "User name")
    }

    @Test func requiresOrgWorkflowsNeedAnOrganisationAndUnknownOnesAreNotFound() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            let global = try await execute(world.admin, "create_user", ["email": "a@b.example"])
            #expect(global.status == .badRequest)
            #expect((global.body["detail"] as? String)?.contains("needs an organisation") == true)
            let inside = try await execute(
                world.admin.inOrganization(world.orgA), "create_user", ["email": "a@b.example"])
            #expect(inside.status == .ok)
            #expect(try await execute(world.memberA, "no_such_workflow", [:]).status == .notFound)
        }
    }

    @Test func executionsAreVisibleByRoleAndNeverAcrossOrganisations() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            let mine = try await execute(world.memberA, "quick_lookup", ["id": "1"])
            let adminsOwn = try await execute(world.adminA, "quick_lookup", ["id": "2"])
            let other = try await execute(world.adminB, "quick_lookup", ["id": "3"])
            let mineID = try #require(mine.body["execution_id"] as? String)
            let adminsID = try #require(adminsOwn.body["execution_id"] as? String)
            let otherID = try #require(other.body["execution_id"] as? String)

            func listed(_ caller: AdminAPITestClient, _ query: String = "") async throws -> Set<String> {
                let (_, page) = try await caller(.get, "/api/executions\(query)")
                let items = (page as? [String: Any])?["items"] as? [[String: Any]] ?? []
                return Set(items.compactMap { $0["id"] as? String })
            }
            #expect(try await listed(world.memberA) == [mineID])
            #expect(try await listed(world.adminA) == [mineID, adminsID])
            #expect(try await listed(world.adminB) == [otherID])
            #expect(try await listed(world.admin, "?scope=all") == [mineID, adminsID, otherID])
            #expect(try await world.memberA(.get, "/api/executions?scope=all").status == .forbidden)

            // Organisation B sees nothing of A's runs, and A's member nothing of its admin's.
            #expect(try await world.adminB(.get, "/api/executions/\(mineID)").status == .notFound)
            #expect(try await world.adminB(.get, "/api/executions/\(mineID)/logs").status == .notFound)
            #expect(try await world.memberA(.get, "/api/executions/\(adminsID)").status == .notFound)
            #expect(try await world.adminB(.post, "/api/executions/\(mineID)/cancel").status == .notFound)
            #expect(try await world.admin(.get, "/api/executions/\(otherID)").status == .ok)
        }
    }

    @Test func debugLinesAreKeptButShownOnlyToPlatformAdminsWhoAsk() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            let run = try await execute(world.adminA, "process_data", [:])
            let id = try #require(run.body["execution_id"] as? String)
            func levels(_ caller: AdminAPITestClient, _ query: String) async throws -> [String] {
                let (_, lines) = try await caller(.get, "/api/executions/\(id)/logs\(query)")
                return (lines as? [[String: Any]] ?? []).compactMap { $0["level"] as? String }
            }
            #expect(try await levels(world.adminA, "") == ["info", "warning", "error"])
            #expect(try await levels(world.adminA, "?include_debug=true") == ["info", "warning", "error"])
            #expect(try await levels(world.admin, "?include_debug=true") == ["debug", "info", "warning", "error"])
            #expect(try await levels(world.admin, "") == ["info", "warning", "error"])
        }
    }

    @Test func listsArePagedNewestFirstWithACursor() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            var ids: [String] = []
            for index in 0..<5 {
                ids.append(
                    try #require(
                        try await execute(world.memberA, "quick_lookup", ["id": "\(index)"]).body["execution_id"]
                            as? String))
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let query = "?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let (_, page) = try await world.memberA(.get, "/api/executions\(query)")
                let object = try #require(page as? [String: Any])
                seen += (object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = object["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == ids.reversed())
            #expect(try await world.memberA(.get, "/api/executions?cursor=garbage").status == .badRequest)

            // Time and workflow filters.
            let (_, first) = try await world.memberA(.get, "/api/executions/\(ids[0])")
            let created = try #require((first as? [String: Any])?["created_at"] as? String)
            func count(_ query: String) async throws -> Int {
                let (_, page) = try await world.memberA(.get, "/api/executions?\(query)")
                return ((page as? [String: Any])?["items"] as? [Any])?.count ?? -1
            }
            let encoded = created.replacingOccurrences(of: "+", with: "%2B")
            #expect(try await count("since=\(encoded)") == 5)
            #expect(try await count("until=\(encoded)") == 0)
            #expect(try await count("until=2999-01-01T00:00:00Z&workflow=quick_lookup") == 5)
            #expect(try await count("workflow=create_user") == 0)
        }
    }

    @Test func dataProviderOptionsAreListedAndCachedPerOrganisation() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            let (status, options) = try await world.memberA(.get, "/api/data-providers/get_departments")
            #expect(status == .ok)
            let values = (options as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
            #expect(values == ["eng", "sales"])
            #expect(try await world.memberA(.get, "/api/data-providers/nope").status == .notFound)

            let (_, workflow) = try await world.memberA(.get, "/api/workflows/assign_user")
            let parameters = (workflow as? [String: Any])?["parameters"] as? [[String: Any]]
            #expect(parameters?.first?["data_provider"] as? String == "get_departments")
        }
        // The cache itself: a provider runs once within its TTL for one organisation, again for another.
        CountingProvider.calls.withLock { $0 = 0 }
        let cache = DataProviderCache()
        let organization = UUID()
        for _ in 0..<3 {
            _ = try await cache.options(of: CountingProvider.self, context: .test(organization: organization))
        }
        #expect(CountingProvider.calls.withLock { $0 } == 1)
        _ = try await cache.options(of: CountingProvider.self, context: .test(organization: UUID()))
        #expect(CountingProvider.calls.withLock { $0 } == 2)
    }

    @Test func theCatalogueListsEveryExampleWithItsParameters() async throws {
        try await OrganizationAndUserTests.withWorld { world, _ in
            let (_, list) = try await world.memberA(.get, "/api/workflows")
            let workflows = try #require(list as? [[String: Any]])
            let forMembers: Set<String> = [
                "always_fail", "assign_user", "bulk_import", "create_user", "daily_report",
                "process_data", "process_items", "quick_lookup", "wait_for", "wait_in_background", "save_output",
                "list_m365_users", "m365_licence_report",
            ]
            #expect(Set(workflows.compactMap { $0["name"] as? String }) == forMembers)
            // Workflows that read secrets or write configuration are listed for administrators only, and the
            // one limited to the `provisioning` workflow role for its holders (the member holds none) and them.
            let forAdmins = try #require(try await world.adminA(.get, "/api/workflows").json as? [[String: Any]])
            #expect(
                Set(forAdmins.compactMap { $0["name"] as? String })
                    == forMembers.union(["check_secret", "configure_api", "create_user_with_license", "leaky_secret"]))
            let licensed = try #require(forAdmins.first { $0["name"] as? String == "create_user_with_license" })
            #expect(licensed["roles"] as? [String] == ["provisioning"])
            #expect(licensed["allowed_roles"] as? [String] == ["provisioning"])
            #expect((workflows.first { $0["name"] as? String == "create_user" })?["roles"] as? [String] == [])
            let report = try #require(workflows.first { $0["name"] as? String == "daily_report" })
            #expect(report["execution_mode"] as? String == "scheduled")
            #expect(report["schedule"] as? String == "0 9 * * *")
            #expect(report["expose_in_forms"] as? Bool == false)
            let quick = try #require(workflows.first { $0["name"] as? String == "quick_lookup" })
            #expect(quick["timeout_seconds"] as? Int == 30)
            #expect(quick["endpoint_enabled"] as? Bool == true)
            #expect(quick["allowed_methods"] as? [String] == ["POST"])
            let wait = try #require(workflows.first { $0["name"] as? String == "wait_for" })
            let seconds = try #require((wait["parameters"] as? [[String: Any]])?.first)
            #expect(seconds["type"] as? String == "float")
            #expect(seconds["required"] as? Bool == true)
            #expect((seconds["validation"] as? [String: Any])?["max"] as? Double == 3600)
        }
    }
}

// MARK: - Fixtures

/// Every validation rule of the seed on one workflow.
struct Signup: Workflow {
    static let configuration = WorkflowConfiguration("signup", description: "Validation fixture")
    @Param(.string, .minLength(3), .maxLength(50), .pattern("^[a-zA-Z0-9_]+$"), label: "User name") var username: String
    @Param(.int, .min(1), .max(1000)) var quantity: Int
    @Param(.string, .oneOf(["free", "pro"])) var plan: String
    @Param(.float, default: 1.5) var ratio: Double
    @Param(.bool) var optIn: Bool?

    func run(_ context: ExecutionContext) async throws -> JSONValue { ["ok": true] }
}

struct CountingProvider: DataProvider {
    static let configuration = DataProviderConfiguration(
        "counting", description: "Counts its calls", cacheTTL: .seconds(600))
    static let calls = Mutex(0)

    func options(_ context: ExecutionContext) async throws -> [Option] {
        Self.calls.withLock { $0 += 1 }
        return [Option("One", value: 1)]
    }
}

extension ExecutionContext {
    static func test(organization: UUID?) -> ExecutionContext {
        ExecutionContext(
            orgID: organization, orgName: nil, userID: nil, email: nil, name: nil, executionID: UUID(),
            isPlatformAdmin: false, logger: Logger(label: "test")
        )
    }
}
