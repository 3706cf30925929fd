public import Configuration
import SystemPackage

/// Where configuration comes from, highest precedence first: command-line flags, `BIFROST_…` environment
/// variables, the YAML file (`Config/bifrost.yaml`, or the one `config.file` names), and the built-in defaults.
public enum ConfigurationSources {
    /// The default YAML file, relative to the working directory; skipped when absent.
    public static let defaultFile = "Config/bifrost.yaml"

    /// Builds the layered reader.
    /// - Parameters:
    ///   - arguments: flags not consumed by the command parser, such as `--http-port 9000`.
    ///   - environment: the process environment (tests pass their own).
    /// - Throws: when an explicitly named file is missing or is not valid YAML.
    public static func reader(arguments: [String], environment: [String: String]) async throws -> ConfigReader {
        let flags = CommandLineArgumentsProvider(
            arguments: ["bifrost"] + arguments,
            secretsSpecifier: .specific(["--database-url", "--bootstrap-admin-password"])
        )
        let variables = EnvironmentVariablesProvider(
            environmentVariables: environment,
            secretsSpecifier: .specific(["BIFROST_DATABASE_URL", "BIFROST_BOOTSTRAP_ADMIN_PASSWORD"])
        ).prefixKeys(with: "bifrost")
        let early = ConfigReader(providers: [flags, variables])
        let explicitFile = early.string(forKey: "config.file")
        let file = try await FileProvider<YAMLSnapshot>(
            filePath: FilePath(explicitFile ?? defaultFile), allowMissing: explicitFile == nil
        )
        return ConfigReader(providers: [flags, variables, file])
    }
}
