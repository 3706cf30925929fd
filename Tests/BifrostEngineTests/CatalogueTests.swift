import Bifrost
import BifrostEngine
import Testing

/// Start-up refuses a catalogue with a bad workflow, naming the workflow and the problem.
@Suite struct CatalogueTests {
    private func refusal(_ workflows: [any Workflow.Type], providers: [any DataProvider.Type] = []) -> String? {
        do {
            _ = try WorkflowCatalogue(workflows: workflows, dataProviders: providers)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func eachCatalogueErrorStopsStartUpNamingTheWorkflow() {
        #expect(refusal([BadName.self])?.contains("workflow Bad-Name: its name is not snake_case") == true)
        #expect(refusal([Valid.self, Valid.self])?.contains("workflow valid: the name is used twice") == true)
        #expect(
            refusal([UnknownProvider.self])?.contains("uses data provider missing_provider, which is not registered")
                == true)
        #expect(
            refusal([BadCron.self])?.contains("workflow bad_cron: its schedule \"61 * * * *\" is not a valid cron")
                == true)
        #expect(
            refusal([BadPattern.self])?.contains(
                "workflow bad_pattern: parameter code has a pattern that does not compile") == true)
        #expect(
            refusal([BadRetries.self])?.contains("workflow bad_retries: its retries must be between 0 and 10") == true)
        #expect(
            refusal([NeverFires.self])?.contains("workflow never_fires: its schedule \"0 0 30 2 *\" never fires")
                == true)
        #expect(
            refusal([ScheduledWithRequiredInput.self])?.contains(
                "workflow scheduled_with_required_input: it is scheduled, so every parameter needs a default"
            ) == true)
        #expect(
            refusal([BadRole.self])?.contains(
                "workflow bad_role: its role \"Help Desk\" is not 1 to 64 of a-z, 0-9, _ and -") == true)
        #expect(refusal([Valid.self]) == nil)
    }

    @Test func workflowRoleNamesAreLowerCaseAndShort() {
        for good in ["helpdesk", "provisioning", "tier-2", "l1_support", "0", String(repeating: "a", count: 64)] {
            #expect(WorkflowRole.isValid(good), "\(good)")
        }
        for bad in ["", "Helpdesk", "help desk", "héllo", "a.b", String(repeating: "a", count: 65), "org_admin\n"] {
            #expect(!WorkflowRole.isValid(bad), "\(bad)")
        }
    }

    @Test func cronExpressionsCoverTheUsualForms() throws {
        let daily = try CronExpression(parsing: "0 9 * * *")
        #expect(daily.minutes == [0] && daily.hours == [9] && daily.daysOfMonth.count == 31)
        let steps = try CronExpression(parsing: "*/15 8-18/2 1,15 * 1-5")
        #expect(steps.minutes == [0, 15, 30, 45])
        #expect(steps.hours == [8, 10, 12, 14, 16, 18])
        #expect(steps.daysOfMonth == [1, 15])
        #expect(steps.daysOfWeek == [1, 2, 3, 4, 5])
        #expect(try CronExpression(parsing: "0 0 * * 7").daysOfWeek == [0])
        for bad in [
            "", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "*/0 * * * *", "a * * * *",
            "5-1 * * * *",
        ] {
            #expect(throws: CronExpression.Error.self, "\(bad)") { try CronExpression(parsing: bad) }
        }
    }
}

struct BadName: Workflow {
    static let configuration = WorkflowConfiguration("Bad-Name", description: "")
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}

struct BadRole: Workflow {
    static let configuration = WorkflowConfiguration(
        "bad_role", description: "", roles: ["helpdesk", "Help Desk"])
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}

struct BadRetries: Workflow {
    static let configuration = WorkflowConfiguration("bad_retries", description: "", mode: .async, retries: 11)
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}

struct NeverFires: Workflow {
    static let configuration = WorkflowConfiguration("never_fires", description: "", schedule: "0 0 30 2 *")
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}

struct ScheduledWithRequiredInput: Workflow {
    static let configuration = WorkflowConfiguration(
        "scheduled_with_required_input", description: "", schedule: "0 * * * *")
    @Param(.string) var target: String
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}

struct Valid: Workflow {
    static let configuration = WorkflowConfiguration("valid", description: "")
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}

struct MissingProvider: DataProvider {
    static let configuration = DataProviderConfiguration("missing_provider", description: "")
    func options(_ context: ExecutionContext) async throws -> [Option] { [] }
}

struct UnknownProvider: Workflow {
    static let configuration = WorkflowConfiguration("unknown_provider", description: "")
    @Param(.string, dataProvider: MissingProvider.self) var choice: String
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}

struct BadCron: Workflow {
    static let configuration = WorkflowConfiguration("bad_cron", description: "", schedule: "61 * * * *")
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}

struct BadPattern: Workflow {
    static let configuration = WorkflowConfiguration("bad_pattern", description: "")
    @Param(.string, .pattern("([a-z")) var code: String
    func run(_ context: ExecutionContext) async throws -> JSONValue { nil }
}
