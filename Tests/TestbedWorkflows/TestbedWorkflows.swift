public import Bifrost
import ExampleWorkflows

/// The example workflows plus the ones that exist for tests and operators: failing on purpose, waiting,
/// reading a secret's length, writing configuration. None of them is in a shipped catalogue.
public enum TestbedWorkflows {
    /// Only this module's own workflows (found in its sources by the WorkflowDiscovery plugin).
    public static let testWorkflows: [any Workflow.Type] = DiscoveredWorkflows.workflows

    /// The examples and this module's workflows, for the catalogue of `bifrost-testbed` and the test gateways.
    public static let workflows: [any Workflow.Type] = ExampleWorkflows.workflows + testWorkflows

    /// The examples' data providers.
    public static let dataProviders: [any DataProvider.Type] = ExampleWorkflows.dataProviders
}
