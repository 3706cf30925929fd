import ArgumentParser

/// `bifrost`: the gateway's command line.
struct RootCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bifrost",
        abstract: "Bifrost: a multi-tenant API gateway and OAuth broker that runs automation workflows.",
        version: BuildInfo.versionLine,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, OpenAPICommand.self, UsersCommand.self, KeysCommand.self,
            WorkflowsCommand.self,
        ]
    )
}
