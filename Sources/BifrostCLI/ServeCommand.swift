import ArgumentParser
import BifrostGateway
import Foundation
import Logging

/// `bifrost serve`: runs the gateway until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway (embedded development database unless database.url is set)."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let (configuration, logger) = try await options.loadAndBootstrapLogging(label: "bifrost")
        do {
            try await GatewayServer(configuration: configuration, logger: logger).run()
        } catch {
            logger.critical("Gateway stopped", metadata: ["error.message": "\(error)"])
            FileHandle.standardError.write(Data("bifrost: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
