import ArgumentParser
import BifrostGateway
import BifrostRuntime
import Configuration
import Foundation
import Logging

/// Configuration flags shared by every command that reads configuration.
///
/// Any key of `docs/configuration.md` can be given as a flag (`--http-port 9000`); flags beat `BIFROST_…`
/// environment variables, which beat `Config/bifrost.yaml`.
struct ConfigurationOptions: ParsableArguments {
    @Argument(
        parsing: .allUnrecognized,
        help: ArgumentHelp(
            "Configuration keys as flags, e.g. --http-port 9000 --log-level debug.", valueName: "settings")
    )
    var settings: [String] = []

    /// The validated configuration; exits with status 2 and a message naming the key when a value is bad.
    func load() async throws -> GatewayConfiguration {
        do {
            let reader = try await ConfigurationSources.reader(
                arguments: settings, environment: ProcessInfo.processInfo.environment
            )
            return try GatewayConfiguration(reader: reader)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("bifrost: \(error)\n".utf8))
            throw ExitCode(2)
        } catch {
            FileHandle.standardError.write(Data("bifrost: cannot read configuration: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Loads the configuration and installs the process-wide log handler it asks for.
    func loadAndBootstrapLogging(label: String) async throws -> (GatewayConfiguration, Logger) {
        let configuration = try await load()
        LoggingSystem.bootstrap(
            LineLogHandler.factory(format: configuration.log.format, level: configuration.log.level))
        return (configuration, Logger(label: label))
    }
}
