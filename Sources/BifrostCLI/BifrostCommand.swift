import ArgumentParser

/// `bifrost`: the gateway's command line.
@main
struct BifrostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bifrost",
        abstract: "Bifrost: a multi-tenant API gateway and OAuth broker that runs automation workflows.",
        subcommands: [ServeCommand.self, MigrateCommand.self, OpenAPICommand.self, UsersCommand.self, KeysCommand.self]
    )
}
