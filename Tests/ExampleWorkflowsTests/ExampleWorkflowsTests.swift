import Bifrost
import BifrostTesting
import Foundation
import Testing

@testable import ExampleWorkflows

/// The seed's examples, each run as the engine runs it, without a database or network (`HTTPStub` answers
/// `context.http`).
@Suite struct ExampleWorkflowsTests {
    let tester = WorkflowTester(dataProviders: ExampleWorkflows.dataProviders)

    @Test func theCatalogueHoldsTheSeedsExamplesAndNothingForTests() {
        let names = Set(ExampleWorkflows.workflows.map { $0.configuration.name })
        #expect(
            names == [
                "create_user", "quick_lookup", "bulk_import", "daily_report", "assign_user", "process_data",
                "process_items", "create_user_with_license", "save_output", "list_m365_users", "m365_licence_report",
            ])
        #expect(ExampleWorkflows.dataProviders.map { $0.configuration.name } == ["get_departments"])
    }

    @Test func createUserLogsTheNewUser() async throws {
        let run = try await tester.run(CreateUser.self, input: ["email": "ada@example.com"])
        #expect(run.status == .success)
        let id = try #require(run.result?["user_id"]?.stringValue)
        #expect(run.messages(at: "info") == ["Created user: \(id)"])
    }

    @Test func badInputGetsTheGatewaysFieldErrors() async throws {
        let refusal = await #expect(throws: WorkflowRefusal.self) {
            try await tester.run(CreateUser.self, input: ["email": "not an address", "extra": 1])
        }
        #expect(
            refusal?.problems == [
                FieldProblem(field: "extra", message: "is not a parameter of create_user"),
                FieldProblem(field: "email", message: "must be an email address"),
            ])
    }

    @Test func processDataLogsAtEveryLevel() async throws {
        let run = try await tester.run(ProcessData.self)
        #expect(run.status == .success)
        #expect(run.logs.map(\.level) == ["debug", "info", "warning", "error"])
    }

    @Test func processItemsCompletesWithErrorsWhenAnItemHasNoID() async throws {
        let run = try await tester.run(ProcessItems.self, input: ["items": [["id": 1], ["name": "x"]]])
        #expect(run.status == .completedWithErrors)
        #expect(run.result?["processed"] == 1)
        #expect(run.result?["failed"] == 1)
    }

    @Test func assignUserTakesADepartmentItsProviderOffers() async throws {
        let offered = try await tester.options(of: GetDepartments.self).map(\.value)
        #expect(offered == ["eng", "sales"])
        let run = try await tester.run(AssignUser.self, input: ["department": offered[0]])
        #expect(run.result?["assigned_to"] == "eng")
    }

    @Test func saveOutputKeepsTheWorkspaceFileAndDropsTheScratchCopy() async throws {
        let run = try await tester.run(SaveOutput.self, input: ["content": "hello"])
        #expect(run.status == .success)
        #expect(tester.files["data/output.txt"] == Array("hello".utf8))
        #expect(try await tester.files.list("", location: .temp).isEmpty)
    }

    @Test func listM365UsersSaysWhenThereIsNoConnection() async throws {
        let run = try await tester.run(ListM365Users.self)
        #expect(run.status == .failed)
        #expect(run.error == "This organisation has no \"microsoft\" OAuth connection")
    }

    /// A `microsoft` token for `https://graph.example`, in `tester`.
    static func connectMicrosoft(_ tester: WorkflowTester) throws {
        tester.oauth["microsoft"] = OAuthToken(
            accessToken: "tok-ms", tokenType: "Bearer", expiresAt: nil, scopes: [],
            apiBaseURLs: [try #require(URL(string: "https://graph.example"))])
    }

    @Test func createUserWithLicenseCreatesTheUserThenAssignsTheLicense() async throws {
        let graph = HTTPStub { request in
            let body = request.url.path == "/v1.0/users" ? #"{"id":"u-42","displayName":"ada"}"# : "{}"
            return OutboundResponse(status: 201, body: Data(body.utf8), url: request.url)
        }
        let tester = WorkflowTester(http: graph)
        try Self.connectMicrosoft(tester)
        let run = try await tester.run(
            CreateUserWithLicense.self, input: ["email": "ada@contoso.example", "sku": "sku-e5"])
        #expect(run.status == .success, "\(run.error ?? "")")
        #expect(run.result == ["user_id": "u-42", "license": "sku-e5"])
        #expect(
            graph.requests.map { "\($0.method) \($0.url.absoluteString)" } == [
                "POST https://graph.example/v1.0/users", "POST https://graph.example/v1.0/users/u-42/assignLicense",
            ])
        #expect(graph.requests.allSatisfy { $0.headers["Authorization"] == "Bearer tok-ms" })
        let created = try JSONDecoder().decode(JSONValue.self, from: try #require(graph.requests.first?.body))
        #expect(created["userPrincipalName"] == "ada@contoso.example")
        #expect(created["mailNickname"] == "ada")
        #expect(created["usageLocation"] == "US")
        #expect(created["passwordProfile"]?["forceChangePasswordNextSignIn"] == true)
        let license = try JSONDecoder().decode(JSONValue.self, from: try #require(graph.requests.last?.body))
        #expect(license == ["addLicenses": [["skuId": "sku-e5"]], "removeLicenses": []])
        #expect(
            run.messages(at: "info").filter { !$0.hasPrefix("POST ") } == ["Creating user...", "Assigning license..."])
    }

    @Test func createUserWithLicenseStopsWhenGraphRefusesTheUser() async throws {
        let graph = HTTPStub { request in
            OutboundResponse(
                status: 400, body: Data(#"{"error":{"code":"Request_BadRequest"}}"#.utf8), url: request.url)
        }
        let tester = WorkflowTester(http: graph)
        try Self.connectMicrosoft(tester)
        let run = try await tester.run(CreateUserWithLicense.self, input: ["email": "ada@contoso.example", "sku": "s"])
        #expect(run.status == .failed)
        #expect(run.error == "POST https://graph.example/v1.0/users answered 400")
        #expect(graph.requests.count == 1, "no license is assigned to a user that was not created")
    }

    @Test func listM365UsersReadsEveryPage() async throws {
        let graph = HTTPStub { request in
            let second = request.url.query?.contains("page=2") == true
            let body =
                second
                ? #"{"value":[{"displayName":"Alex","userPrincipalName":"alex@contoso.example"}]}"#
                : #"{"value":[{"displayName":"Adele","mail":"adele@contoso.example"}],"#
                    + #""@odata.nextLink":"https://graph.example/v1.0/users?page=2"}"#
            return OutboundResponse(status: 200, body: Data(body.utf8), url: request.url)
        }
        let tester = WorkflowTester(http: graph)
        try Self.connectMicrosoft(tester)
        let run = try await tester.run(ListM365Users.self)
        #expect(
            run.result == [
                "users": [
                    ["name": "Adele", "email": "adele@contoso.example"],
                    ["name": "Alex", "email": "alex@contoso.example"],
                ]
            ])
        #expect(graph.requests.count == 2)
    }

    @Test func theLicenceReportNamesTheTenantAndWarnsAboutLicencesRunningOut() async throws {
        let graph = HTTPStub { request in
            let body =
                request.url.path.hasSuffix("organization")
                ? #"{"value":[{"id":"tenant-a"}]}"#
                : #"{"value":[{"skuPartNumber":"SPE_E3","consumedUnits":18,"prepaidUnits":{"enabled":20}},"#
                    + #"{"skuPartNumber":"EMS","consumedUnits":3,"prepaidUnits":{"enabled":50}}]}"#
            return OutboundResponse(status: 200, body: Data(body.utf8), url: request.url)
        }
        let tester = WorkflowTester(http: graph)
        try Self.connectMicrosoft(tester)
        let run = try await tester.run(M365LicenceReport.self)
        #expect(
            run.result == [
                "tenant": "tenant-a",
                "licences": [
                    ["sku": "SPE_E3", "used": 18, "enabled": 20], ["sku": "EMS", "used": 3, "enabled": 50],
                ],
            ])
        #expect(run.logs.filter { $0.level == "warning" }.map(\.message) == ["SPE_E3: 2 of 20 left"])
        #expect(graph.requests.allSatisfy { $0.headers["Authorization"]?.hasPrefix("Bearer ") == true })
    }
}

/// What the tester does besides the examples: statuses, timeouts, hidden secrets, scope.
@Suite struct WorkflowTesterTests {
    struct Sleeper: Workflow {
        static let configuration = WorkflowConfiguration(
            "sleeper", description: "Sleeps until cancelled", timeout: .seconds(3600))
        func run(_ context: ExecutionContext) async throws -> JSONValue {
            try await Task.sleep(for: .seconds(3600))
            return [:]
        }
    }

    struct LeakSecret: Workflow {
        static let configuration = WorkflowConfiguration("leak_secret", description: "Tries to show a secret")
        func run(_ context: ExecutionContext) async throws -> JSONValue {
            let value = try await context.secrets.get("api_key") ?? ""
            context.logger.info("key is \(value)")
            guard value.isEmpty else { throw WorkflowError("failed with \(value)") }
            return [:]
        }
    }

    struct GlobalOnly: Workflow {
        static let configuration = WorkflowConfiguration("global_only", description: "Needs an organisation")
        func run(_ context: ExecutionContext) async throws -> JSONValue { [:] }
    }

    @Test func aRunPastItsTimeoutEndsAsTimeout() async throws {
        let run = try await WorkflowTester().run(Sleeper.self, timeout: .milliseconds(50))
        #expect(run.status == .timeout)
        #expect(run.error == "The run exceeded the test's timeout of 0.05 seconds.")
    }

    @Test func secretsAreHiddenFromLogsAndErrors() async throws {
        let tester = WorkflowTester()
        tester.secrets["api_key"] = "s3cr3t-value"
        let run = try await tester.run(LeakSecret.self)
        #expect(run.status == .failed)
        #expect(run.error == "failed with [REDACTED]")
        #expect(run.messages(at: "info") == ["key is [REDACTED]"])
    }

    struct AdminsOnly: Workflow {
        static let configuration = WorkflowConfiguration(
            "admins_only", description: "For admins", requiresAdmin: true)
        func run(_ context: ExecutionContext) async throws -> JSONValue { [:] }
    }

    @Test func aWorkflowForAdminsIsRefusedToAMemberAsTheGatewayDoes() async throws {
        await #expect(throws: WorkflowRefusal.forAdminsOnly("admins_only")) {
            try await WorkflowTester().run(AdminsOnly.self)
        }
        #expect(try await WorkflowTester(isOrganizationAdmin: true).run(AdminsOnly.self).status == .success)
    }

    @Test func aWorkflowThatNeedsAnOrganisationIsRefusedInGlobalScope() async throws {
        await #expect(throws: WorkflowRefusal.needsOrganization("global_only")) {
            try await WorkflowTester(organization: nil).run(GlobalOnly.self)
        }
    }
}
