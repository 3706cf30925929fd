import BifrostServer
import Foundation
import TestbedWorkflows

// `bifrost-testbed`: the same command line as `bifrost`, over the example workflows and the ones tests and
// operators use (`always_fail`, `wait_for`, …). End-to-end tests run it; it never ships.
// `BIFROST_TESTBED_EVERY_MINUTE=1` adds a workflow scheduled every minute (the multi-replica tests).
let scheduled = ProcessInfo.processInfo.environment["BIFROST_TESTBED_EVERY_MINUTE"] == "1"
await BifrostCommand.main(
    workflows: TestbedWorkflows.workflows + (scheduled ? [EveryMinute.self] : []),
    dataProviders: TestbedWorkflows.dataProviders)
