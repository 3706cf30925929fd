import Bifrost
import BifrostTesting
import Testing

@testable import Workflows

@Suite struct OnboardUserTests {
    let tester = WorkflowTester(dataProviders: Workflows.dataProviders)

    @Test func createsTheAccountInTheChosenOffice() async throws {
        let run = try await tester.run(OnboardUser.self, input: ["email": "ada@example.com", "office": "lon"])
        #expect(run.status == .success)
        #expect(run.result?["account"] == "ada")
        #expect(run.result?["office"] == "lon")
        #expect(run.messages(at: "info") == ["Creating ada in lon, starting in 0 days"])
    }

    @Test func refusesInputAsTheGatewayWould() async throws {
        let refusal = await #expect(throws: WorkflowRefusal.self) {
            try await tester.run(OnboardUser.self, input: ["email": "not-an-email", "starts_in_days": 400])
        }
        let fields = Set(refusal?.problems.map(\.field) ?? [])
        #expect(fields == ["email", "office", "starts_in_days"])
    }

    @Test func theOfficesComeFromTheDataProvider() async throws {
        let offices = try await tester.options(of: ListOffices.self)
        #expect(offices.map(\.label) == ["London", "Amsterdam", "Remote"])
    }
}

@Suite struct CheckTicketSystemTests {
    @Test func reportsWhatIsMissing() async throws {
        let tester = WorkflowTester()
        tester.config["ticket_api_url"] = "https://tickets.example.com"
        let run = try await tester.run(CheckTicketSystem.self)
        #expect(run.status == .completedWithErrors)
        #expect(run.result?["missing"] == ["secret ticket_api_key"])
    }

    @Test func neverShowsTheKey() async throws {
        let tester = WorkflowTester()
        tester.config["ticket_api_url"] = "https://tickets.example.com"
        tester.secrets["ticket_api_key"] = "tk-very-secret"
        let run = try await tester.run(CheckTicketSystem.self)
        #expect(run.status == .success)
        #expect(run.result?["key_length"] == 14)
        #expect(run.logs.allSatisfy { !$0.message.contains("tk-very-secret") })
        #expect(run.messages(at: "info") == ["Using https://tickets.example.com with key [REDACTED]"])
    }
}

@Suite struct CatalogueTests {
    @Test func everyWorkflowIsFoundWithoutAList() {
        #expect(Set(Workflows.all.map { $0.configuration.name }) == ["onboard_user", "check_ticket_system"])
        #expect(Workflows.dataProviders.map { $0.configuration.name } == ["list_offices"])
    }
}
