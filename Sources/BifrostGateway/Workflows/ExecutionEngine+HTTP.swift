import Bifrost
import BifrostEngine
import BifrostStore
import Foundation

extension ExecutionEngine {
    /// `submit` as the HTTP routes call it (execute and endpoints): a run that cannot start is thrown as the
    /// problem the API answers with.
    func submitAnsweringRefusals(_ name: String, input: [String: JSONValue], caller: Caller, queued: Bool = false)
        async throws -> Submission
    {
        do {
            return try await submit(name, input: input, caller: caller, queued: queued)
        } catch let refusal as ExecutionRefusal {
            throw Problem(refusal)
        }
    }
}

extension ExecutionRecord {
    /// What a 202 for this queued run carries: its id and status, and where to follow it.
    var queuedAnswer: (body: JSONValue, location: String) {
        let id = id.lowercasedText
        return (["execution_id": .string(id), "status": .string(status.rawValue)], "/api/executions/\(id)")
    }
}

extension Problem {
    /// The answer to a run that could not start.
    init(_ refusal: ExecutionRefusal) {
        switch refusal {
        case .unknownWorkflow(let name):
            self = .notFound("No workflow is named \(name).")
        case .needsOrganization(let name):
            self = .badRequest(
                "Workflow \(name) needs an organisation; platform administrators choose one with X-Organization-Id."
            )
        case .invalidInput(let problems):
            self = .validation(problems.map { FieldError(field: $0.field, message: $0.message) })
        case .busy:
            self = .tooManyRequests(
                retryAfter: .seconds(1), detail: "Too many workflow runs are in progress; try again shortly.")
        }
    }
}
