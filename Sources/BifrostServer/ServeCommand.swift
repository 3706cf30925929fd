import ArgumentParser
import BifrostEngine
import BifrostGateway
import BifrostRuntime
import Foundation
import Logging
import NIOCore

/// `bifrost serve`: runs the gateway until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway (embedded development database unless database.url is set).",
        discussion: SettingsTable.builtIn.helpText
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let (configuration, logger) = try await options.loadAndBootstrapLogging(label: "bifrost")
        // Before anything uses the shared event loops (the HTTP server, the PostgreSQL client): later it is too late.
        NIOSingletons.groupLoopCountSuggestion = configuration.http.eventLoops
        let catalogue = try Registration.catalogue()
        do {
            try await GatewayServer(configuration: configuration, catalogue: catalogue, logger: logger).run()
        } catch {
            logger.critical("Gateway stopped", metadata: ["error.message": "\(error)"])
            FileHandle.standardError.write(Data("bifrost: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
