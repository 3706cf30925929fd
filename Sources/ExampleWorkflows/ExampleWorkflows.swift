public import Bifrost

/// The seed document's workflows and data provider, in Swift: the demo the repository's `bifrost` serves.
public enum ExampleWorkflows {
    /// Every workflow of this module, found in its sources at build time (the WorkflowDiscovery plugin).
    public static let workflows: [any Workflow.Type] = DiscoveredWorkflows.workflows

    /// Every data provider of this module.
    public static let dataProviders: [any DataProvider.Type] = DiscoveredWorkflows.dataProviders
}
