import Bifrost
import BifrostTesting
import Foundation
import Testing

@testable import ExampleWorkflows

/// The seed's examples, each run as the engine runs it, without a database or HTTP.
@Suite struct ExampleWorkflowsTests {
    let tester = WorkflowTester(dataProviders: ExampleWorkflows.dataProviders)

    @Test func theCatalogueHoldsTheSeedsExamplesAndNothingForTests() {
        let names = Set(ExampleWorkflows.workflows.map { $0.configuration.name })
        #expect(
            names == [
                "create_user", "quick_lookup", "bulk_import", "daily_report", "assign_user", "process_data",
                "process_items", "create_user_with_license", "save_output", "list_m365_users",
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
