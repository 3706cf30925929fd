import BifrostServer
import Workflows

// `bifrost serve`, `bifrost workflows run onboard_user --input '{…}'`, …: the whole command line over your workflows.
await BifrostCommand.main(workflows: Workflows.all, dataProviders: Workflows.dataProviders)
