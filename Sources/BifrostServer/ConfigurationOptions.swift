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

    /// Refuses a flag that names no setting (`--http-prot 9000`), naming the closest one: a mistyped setting must
    /// not be ignored silently.
    func validate() throws {
        for argument in settings where argument.hasPrefix("--") {
            let flag = String(argument.prefix { $0 != "=" })
            guard !SettingsTable.builtIn.knows(flag) else { continue }
            let hint = SettingsTable.builtIn.closest(to: flag).map { " Did you mean \($0)?" } ?? ""
            throw ValidationError(
                "Unknown option '\(flag)'.\(hint) (Every setting is listed by `bifrost serve --help`.)")
        }
    }

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
