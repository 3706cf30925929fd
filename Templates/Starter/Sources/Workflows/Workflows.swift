public import Bifrost

/// Everything this package offers the gateway, found in its sources when it builds.
public enum Workflows {
    public static let all: [any Workflow.Type] = DiscoveredWorkflows.workflows
    public static let dataProviders: [any DataProvider.Type] = DiscoveredWorkflows.dataProviders
}
