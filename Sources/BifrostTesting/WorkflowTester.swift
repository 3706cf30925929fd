public import Bifrost
public import BifrostEngine
import BifrostStore
public import Foundation
import Logging

/// Runs workflows in a unit test the way the gateway's engine runs them, with no database or HTTP server: input
/// validated by the same rules (the same field errors as the API's 422), the run's logger captured, secrets
/// hidden from logs, result and error, the same statuses, the workflow's timeout enforced.
///
/// ```swift
/// @Test func onboardsTheUser() async throws {
///     let tester = WorkflowTester(dataProviders: [ListOffices.self])
///     tester.secrets["ticket_api_key"] = "k-123"
///     let run = try await tester.run(OnboardUser.self, input: ["email": "ada@example.com", "office": "lon"])
///     #expect(run.status == .success)
///     #expect(run.result?["account"] == "ada")
/// }
/// ```
///
/// Configuration, secrets, files and OAuth tokens live in memory (`config`, `secrets`, `files`, `oauth`) and are
/// shared by every run of one tester, as an organisation's are in the gateway. `context.http` goes through the
/// gateway's policy (OAuth tokens only to their provider's APIs, retries, timeouts, one log line per request) to
/// the transport given as `http`: an `HTTPStub` answering from the test, or a real one; without it, `context.http`
/// is unavailable, as a test should not reach the network by accident.
public final class WorkflowTester: Sendable {
    /// Configuration values runs read (`context.config`) and write.
    public let config = TestConfiguration()
    /// Secrets runs read (`context.secrets`) and write.
    public let secrets = TestSecrets()
    /// Files of the organisation (`context.files`); temporary files last for their run only.
    public let files = TestFiles()
    /// OAuth tokens by connection name (`context.oauth.getToken`).
    public let oauth = TestOAuthTokens()

    /// The organisation runs act for; nil runs them in global scope.
    public let organization: TestOrganization?
    /// The user who starts runs; nil as for API keys, schedules and webhooks.
    public let user: TestUser?
    /// Whether runs are started by a platform admin.
    public let isPlatformAdmin: Bool
    /// Whether the user is an admin of the organisation (`org_admin`), who may run `requiresAdmin` workflows.
    public let isOrganizationAdmin: Bool
    private let dataProviders: [any DataProvider.Type]
    private let http: (any HTTPTransport)?
    private let outboundPolicy: OutboundPolicy

    /// - Parameters:
    ///   - organization: the organisation runs act for (one called "Test Organisation" unless given; nil for
    ///     global scope).
    ///   - user: who starts the runs.
    ///   - dataProviders: the data providers the tested workflows' parameters name, as registered with the server.
    ///   - http: what sends `context.http`'s requests (an `HTTPStub`, say); nil: the service is unavailable.
    ///   - outboundPolicy: timeouts and retries of `context.http`; give one whose `sleep` records the waits to
    ///     test retries without waiting.
    public init(
        organization: TestOrganization? = TestOrganization(name: "Test Organisation"),
        user: TestUser? = TestUser(email: "tester@example.com", name: "Tester"), isPlatformAdmin: Bool = false,
        isOrganizationAdmin: Bool = false, dataProviders: [any DataProvider.Type] = [],
        http: (any HTTPTransport)? = nil, outboundPolicy: OutboundPolicy = OutboundPolicy()
    ) {
        self.http = http
        self.outboundPolicy = outboundPolicy
        self.isOrganizationAdmin = isOrganizationAdmin
        self.organization = organization
        self.user = user
        self.isPlatformAdmin = isPlatformAdmin
        self.dataProviders = dataProviders
    }

    /// Validates `input` as the engine does and runs the workflow to its outcome.
    /// - Parameter timeout: stops the run as `Timeout` after this long instead of the workflow's own timeout.
    /// - Throws: `WorkflowRefusal` when the run would not start: input refused (each field and why), the
    ///   workflow needs an organisation and the tester has none, it is for admins and the tester's user is a
    ///   member, or its declaration is refused by the catalogue.
    public func run<Declared: Workflow>(
        _ workflow: Declared.Type, input: [String: JSONValue] = [:], timeout: Duration? = nil
    ) async throws -> TestRun {
        let entry = try self.entry(for: workflow)
        if entry.configuration.requiresOrganization, organization == nil {
            throw WorkflowRefusal.needsOrganization(entry.configuration.name)
        }
        if entry.configuration.requiresAdmin, !isPlatformAdmin, !isOrganizationAdmin {
            throw WorkflowRefusal.forAdminsOnly(entry.configuration.name)
        }
        let values: [String: JSONValue]
        do {
            values = try entry.validate(input)
        } catch let invalid as InvalidInput {
            throw WorkflowRefusal.invalidInput(
                invalid.problems.map { FieldProblem(field: $0.field, message: $0.message) })
        }
        let id = UUID()
        let collector = ExecutionLogCollector()
        let context = self.context(executionID: id, collector: collector)
        let control = RunControl()
        let limit = timeout ?? entry.configuration.timeout
        let timer = Task {
            try await Task.sleep(for: limit)
            control.stop(.timedOut)
        }
        defer { timer.cancel() }
        let outcome = await WorkflowRun(
            entry: entry, values: values, context: context, maximumResultSize: 1_048_576
        ).outcome(control: control)
        files.removeTemporaryFiles()
        return TestRun(
            executionID: id, status: TestRun.Status(outcome.status),
            result: outcome.result.map { collector.redactor.redact($0) },
            error: timeout != nil && outcome.status == .timeout
                ? "The run exceeded the test's timeout of \(limit)."
                : outcome.error.map { collector.redactor.redact($0) },
            logs: collector.lines.map { TestLogLine(level: $0.level, message: $0.message) }
        )
    }

    /// The options a data provider gives for this tester's organisation (what fills a form's dropdown). As in the
    /// gateway, a provider gets who asks and for which organisation, but no configuration, secrets, files or
    /// OAuth tokens: using them fails here as it would there.
    public func options<Provider: DataProvider>(of provider: Provider.Type) async throws -> [Option] {
        let context = ExecutionContext(
            orgID: organization?.id, orgName: organization?.name, userID: user?.id, email: user?.email,
            name: user?.name, executionID: UUID(), isPlatformAdmin: isPlatformAdmin,
            logger: Logger(label: "bifrost.testing") { _ in SwiftLogNoOpLogHandler() }
        )
        return try await Provider().options(context)
    }

    private func entry<Declared: Workflow>(for workflow: Declared.Type) throws -> WorkflowEntry {
        let catalogue: WorkflowCatalogue
        do {
            catalogue = try WorkflowCatalogue(workflows: [workflow], dataProviders: dataProviders)
        } catch let refused as CatalogueError {
            throw WorkflowRefusal.declarationRefused(refused.description)
        }
        guard let entry = catalogue.workflows[workflow.configuration.name] else {
            throw WorkflowRefusal.declarationRefused("\(workflow) is not in its catalogue")
        }
        return entry
    }

    private func context(executionID: UUID, collector: ExecutionLogCollector) -> ExecutionContext {
        let quiet = Logger(label: "bifrost.testing") { _ in SwiftLogNoOpLogHandler() }
        let logger = collector.logger(forwardingTo: quiet) { [:] }
        let tokens = RedactingTokens(tokens: oauth, redactor: collector.redactor)
        return ExecutionContext(
            orgID: organization?.id, orgName: organization?.name, userID: user?.id, email: user?.email,
            name: user?.name, executionID: executionID, isPlatformAdmin: isPlatformAdmin, logger: logger,
            config: config, secrets: RedactingSecrets(store: secrets, redactor: collector.redactor), oauth: tokens,
            files: files,
            http: http.map { RunHTTP(transport: $0, oauth: tokens, policy: outboundPolicy, logger: logger) }
                ?? UnavailableService("http")
        )
    }
}

/// The organisation a tester's runs act for.
public struct TestOrganization: Sendable, Hashable {
    public var id: UUID
    public var name: String

    public init(id: UUID = UUID(), name: String) {
        self.id = id
        self.name = name
    }
}

/// The user who starts a tester's runs.
public struct TestUser: Sendable, Hashable {
    public var id: UUID
    public var email: String
    public var name: String

    public init(id: UUID = UUID(), email: String, name: String) {
        self.id = id
        self.email = email
        self.name = name
    }
}
