import ArgumentParser
import Bifrost
import BifrostEngine
import BifrostGateway
import BifrostOAuth
import BifrostRuntime
import BifrostStore
import Foundation
import Logging
import PostgresNIO

/// `bifrost workflows run NAME --input '{…}'`: runs one workflow in this process against the configured database
/// (the embedded one by default), printing its log lines as they come and its result. The author's inner loop.
///
/// Exit status: 0 `Success`, 1 `Failed`, 2 bad input or usage, 3 `CompletedWithErrors`, 4 `Timeout`,
/// 5 `Cancelled`. The run is recorded like any other, started by `cli`.
struct RunWorkflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow now, in this process, printing its log and result.",
        discussion: "Exit status: 0 Success, 1 Failed, 2 bad input, 3 CompletedWithErrors, 4 Timeout, 5 Cancelled."
    )

    @Argument(help: "The workflow's name (see `bifrost workflows list`).")
    var name: String

    @ArgumentParser.Option(help: "The input, a JSON object.")
    var input: String = "{}"

    @ArgumentParser.Option(
        help: """
            The organisation to run in (its UUID or exact name). Left out: global scope, or for a workflow that \
            needs an organisation, "Development" in the embedded database.
            """)
    var organization: String?

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try await options.load()
        // The run's own lines are printed as they come; of the gateway's, only warnings and worse.
        LoggingSystem.bootstrap(
            LineLogHandler.factory(format: configuration.log.format, level: max(configuration.log.level, .warning)))
        let catalogue = try Registration.catalogue()
        guard catalogue.workflows[name] != nil else {
            let known = catalogue.sortedWorkflows.map(\.configuration.name).joined(separator: ", ")
            throw Self.usage("there is no workflow \(name); registered: \(known)")
        }
        let values: [String: JSONValue]
        do {
            guard let object = try JSONValue(parsing: input).objectValue else {
                throw Self.usage("--input must be a JSON object")
            }
            values = object
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw Self.usage("--input is not JSON: \(error)")
        }
        let logger = Logger(label: "bifrost.workflows.run")
        let masterKey = try MasterKeyLoader.load(configuration, logger: logger)
        let migrations = try MigrationCatalog.bundled()
        let (name, organization) = (name, organization)
        let record: ExecutionRecord
        do {
            record = try await DatabaseSession.with(configuration: configuration, logger: logger) { client in
                try await Migrator(client: client, migrations: migrations, logger: logger).migrate()
                let keyRing = KeyRing(
                    client: client, master: masterKey.current, previous: masterKey.previous, logger: logger)
                try await keyRing.open()
                let needsOrganization = catalogue.workflows[name]?.configuration.requiresOrganization ?? false
                let organizationID = try await Self.organizationID(
                    organization, client: client, logger: logger,
                    developmentDefault: needsOrganization && configuration.database.url == nil
                )
                let instanceID = UUID()
                try await PostgresInstanceRepository(client: client, logger: logger).heartbeat(instanceID)
                let oauth = OAuthBroker.onDatabase(
                    client, keys: keyRing,
                    catalogue: try OAuthProviderCatalogue.load(path: configuration.oauth.providersFile),
                    settings: configuration.oauth.brokerSettings, logger: logger
                )
                let http = OutboundHTTPTransport()
                let engine = Gateway.buildEngine(
                    configuration: configuration, database: client, catalogue: catalogue, keyRing: keyRing,
                    oauth: oauth, http: http, instanceID: instanceID, logger: Self.runLogger()
                )
                return try await http.withClient {
                    try await engine.runHere(
                        name, input: values,
                        caller: Caller(
                            organizationID: organizationID, userID: nil, email: nil, name: "bifrost workflows run",
                            isPlatformAdmin: true, actor: ExecutionActor(label: "cli")
                        )
                    )
                }
            }
        } catch let refusal as ExecutionRefusal {
            throw Self.usage(Self.describe(refusal))
        } catch let exit as ExitCode {
            throw exit
        } catch {
            FileHandle.standardError.write(Data("bifrost: \(error)\n".utf8))
            throw ExitCode.failure
        }
        report(record)
    }

    /// Prints the outcome: the result on standard output, the status and error on standard error.
    private func report(_ record: ExecutionRecord) {
        if let result = record.result { print(Self.readable(result)) }
        let duration = record.durationMilliseconds.map { " in \($0) ms" } ?? ""
        var summary = "\(record.status.rawValue)\(duration) (execution \(record.id.lowercasedText))"
        if let error = record.error { summary += ": \(error)" }
        FileHandle.standardError.write(Data((summary + "\n").utf8))
        let status: Int32 =
            switch record.status {
            case .success: 0
            case .completedWithErrors: 3
            case .timeout: 4
            case .cancelled: 5
            default: 1
            }
        if status != 0 { Foundation.exit(status) }
    }

    /// The result as indented JSON with sorted keys.
    private static func readable(_ result: JSONValue) -> String {
        let text = result.jsonText
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed),
            let pretty = try? JSONSerialization.data(
                withJSONObject: object,
                options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return text }
        return String(decoding: pretty, as: UTF8.self)
    }

    /// A logger printing each line of the run as `level: message` on standard error.
    private static func runLogger() -> Logger {
        var logger = Logger(label: "bifrost.run") { _ in RunLinePrinter() }
        logger.logLevel = .debug
        return logger
    }

    /// The organisation `given` names. Without one, a workflow that needs an organisation runs in the embedded
    /// database's organisation "Development" (created on first use), so the inner loop needs no set-up.
    private static func organizationID(
        _ given: String?, client: PostgresClient, logger: Logger, developmentDefault: Bool
    ) async throws -> UUID? {
        let organizations = PostgresOrganizationRepository(client: client, logger: logger)
        guard let given else {
            guard developmentDefault else { return nil }
            let name = "Development"
            var found = try await organizations.list().first { $0.name == name }
            if found == nil { found = try await organizations.create(name: name, domain: nil) }
            guard let found else { return nil }
            FileHandle.standardError.write(
                Data("bifrost: running in organisation \(name) (\(found.id.lowercasedText))\n".utf8))
            return found.id
        }
        if let id = UUID(uuidString: given), let found = try await organizations.find(id) { return found.id }
        if let found = try await organizations.list().first(where: { $0.name == given }) { return found.id }
        throw usage("there is no organisation \(given) (give its UUID or exact name)")
    }

    private static func describe(_ refusal: ExecutionRefusal) -> String {
        switch refusal {
        case .unknownWorkflow(let name): "there is no workflow \(name)"
        case .needsOrganization(let name): "\(name) runs in an organisation: give --organization"
        case .busy: "too many runs in progress"
        case .invalidInput(let problems):
            "the input was refused:\n" + problems.map { "  \($0.field): \($0.message)" }.joined(separator: "\n")
        }
    }

    private static func usage(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("bifrost: \(message)\n".utf8))
        return ExitCode(2)
    }
}

/// Prints a run's log lines as they come, on standard error: `info: Processing item 1 of 10...`.
struct RunLinePrinter: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        FileHandle.standardError.write(Data("\(event.level): \(event.message)\n".utf8))
    }
}
