import Bifrost

/// The offices a new user can join: what fills the `office` dropdown of `onboard_user`'s form.
struct ListOffices: DataProvider {
    static let configuration = DataProviderConfiguration("list_offices", description: "Offices of the company")

    func options(_ context: ExecutionContext) async throws -> [Option] {
        [Option("London", value: "lon"), Option("Amsterdam", value: "ams"), Option("Remote", value: "remote")]
    }
}

/// Creates an account for a new starter in the office chosen from `list_offices`.
struct OnboardUser: Workflow {
    static let configuration = WorkflowConfiguration(
        "onboard_user", description: "Create an account for a new starter", category: "People"
    )

    @Param(.email, label: "Work email") var email: String
    @Param(.string, label: "Office", dataProvider: ListOffices.self) var office: String
    @Param(.int, .min(0), .max(365), default: 0, help: "Days until the first working day") var startsInDays: Int

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        let account = email.split(separator: "@").first.map(String.init) ?? email
        context.logger.info("Creating \(account) in \(office), starting in \(startsInDays) days")
        return ["account": .string(account), "office": .string(office), "organization": .string(context.orgName ?? "")]
    }
}
