import BifrostServer
import TestbedWorkflows

// `bifrost-testbed`: the same command line as `bifrost`, over the example workflows and the ones tests and
// operators use (`always_fail`, `wait_for`, …). End-to-end tests run it; it never ships.
await BifrostCommand.main(workflows: TestbedWorkflows.workflows, dataProviders: TestbedWorkflows.dataProviders)
