import Bifrost

/// The seed's data-provider example: the options a department can take.
struct GetDepartments: DataProvider {
    static let configuration = DataProviderConfiguration(
        "get_departments", description: "List departments", cacheTTL: .seconds(600)
    )

    func options(_ context: ExecutionContext) async throws -> [Option] {
        [Option("Engineering", value: "eng"), Option("Sales", value: "sales")]
    }
}

/// Assigns a user to a department chosen from `get_departments`.
struct AssignUser: Workflow {
    static let configuration = WorkflowConfiguration("assign_user", description: "Assign a user to a department")

    @Param(.string, dataProvider: GetDepartments.self) var department: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        ["assigned_to": .string(department)]
    }
}
