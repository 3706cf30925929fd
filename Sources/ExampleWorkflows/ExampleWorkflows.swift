public import Bifrost

/// The seed document's workflows and data provider, in Swift, plus four for operators and tests.
public enum ExampleWorkflows {
    /// Every workflow of this module, for the catalogue.
    public static let workflows: [any Workflow.Type] = [
        CreateUser.self, QuickLookup.self, BulkImport.self, DailyReport.self, AssignUser.self, ProcessData.self,
        ProcessItems.self, CreateUserWithLicense.self, WaitFor.self, AlwaysFail.self, WaitInBackground.self,
        CheckSecret.self, ConfigureAPI.self, SaveOutput.self, ListM365Users.self,
    ]

    /// Every data provider of this module.
    public static let dataProviders: [any DataProvider.Type] = [GetDepartments.self]
}
