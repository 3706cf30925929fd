import BifrostServer
import ExampleWorkflows

// The repository's own `bifrost`: the server library over the seed's example workflows, nothing more.
await BifrostCommand.main(workflows: ExampleWorkflows.workflows, dataProviders: ExampleWorkflows.dataProviders)
