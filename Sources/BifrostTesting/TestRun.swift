public import Bifrost
import BifrostStore
public import Foundation

/// How one run in a `WorkflowTester` ended: what the gateway would record.
public struct TestRun: Sendable {
    /// A run's final status, named as the API names it.
    public enum Status: String, Sendable, Hashable {
        case success = "Success"
        /// The result's top level has `"success": false`.
        case completedWithErrors = "CompletedWithErrors"
        /// The workflow threw, or its result could not be used.
        case failed = "Failed"
        /// The run outlasted its timeout.
        case timeout = "Timeout"
        case cancelled = "Cancelled"

        init(_ status: ExecutionStatus) {
            switch status {
            case .success: self = .success
            case .completedWithErrors: self = .completedWithErrors
            case .timeout: self = .timeout
            case .cancelled: self = .cancelled
            default: self = .failed
            }
        }
    }

    /// The run's id (`context.executionID`).
    public var executionID: UUID
    public var status: Status
    /// The result, with secret values the run touched replaced by `[REDACTED]`.
    public var result: JSONValue?
    /// Why the run failed or timed out, with secret values hidden.
    public var error: String?
    /// The lines the run logged, in order, with secret values hidden.
    public var logs: [TestLogLine]

    /// The messages logged at `level` (`debug`, `info`, `warning`, `error`).
    public func messages(at level: String) -> [String] {
        logs.filter { $0.level == level }.map(\.message)
    }
}

/// One line a run logged.
public struct TestLogLine: Sendable, Hashable {
    /// `debug`, `info`, `warning` or `error` (swift-log's other levels map onto these, as in the gateway).
    public var level: String
    public var message: String
}

/// Why a `WorkflowTester` did not start a run: what the gateway would answer instead of running it.
public enum WorkflowRefusal: Error, Sendable, Hashable {
    /// The input was refused: every field with its problem, as in the API's 422 answer.
    case invalidInput([FieldProblem])
    /// The workflow requires an organisation and the tester runs in global scope.
    case needsOrganization(String)
    /// The workflow `requiresAdmin` and the user is an organisation member (the gateway hides it from them).
    case forAdminsOnly(String)
    /// The workflow's declaration is refused (the message `bifrost serve` would stop with).
    case declarationRefused(String)

    /// The problems of `invalidInput`; empty otherwise.
    public var problems: [FieldProblem] {
        if case .invalidInput(let problems) = self { return problems }
        return []
    }
}

/// One thing wrong with a run's input, named by its field (`items[2]`, `email`).
public struct FieldProblem: Sendable, Hashable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
