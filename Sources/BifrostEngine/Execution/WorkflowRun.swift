public import Bifrost
public import BifrostStore
import Foundation
import Synchronization

/// How one run ended.
public struct RunOutcome: Sendable, Hashable {
    public var status: ExecutionStatus
    public var result: JSONValue?
    public var error: String?
}

/// Runs one bound workflow to an outcome, whatever the workflow does.
///
/// The workflow runs in its own task. The first of three things decides the outcome: the workflow returns or
/// throws, the timeout passes (`Timeout`, signalled through `RunControl` by `RunningExecutions`), or the run is
/// stopped (`Cancelled`, or `Pending` when it is released to the queue). In the last two cases the workflow's
/// task is cancelled and the outcome is returned at once, even if the workflow ignores cancellation:
/// its task then runs on unobserved until it next yields, and its result is discarded.
package struct WorkflowRun: Sendable {
    package let entry: WorkflowEntry
    package let values: [String: JSONValue]
    package let context: ExecutionContext
    /// Largest encoded result accepted.
    package let maximumResultSize: Int

    package init(entry: WorkflowEntry, values: [String: JSONValue], context: ExecutionContext, maximumResultSize: Int) {
        self.entry = entry
        self.values = values
        self.context = context
        self.maximumResultSize = maximumResultSize
    }

    package func outcome(control: RunControl) async -> RunOutcome {
        let instance: any Workflow
        do {
            instance = try bind()
        } catch {
            return RunOutcome(status: .failed, result: nil, error: "The input could not be bound: \(error)")
        }
        let decision = Decision()
        // Unstructured so that a run that ignores cancellation cannot hold its caller past the timeout; it is
        // cancelled at the timeout or on cancellation, and its late result is dropped.
        let work = Task { [context, maximumResultSize] in
            decision.settle(await Self.perform(instance, context: context, maximumResultSize: maximumResultSize))
        }
        let timeout = entry.configuration.timeout
        control.onStop { reason in
            switch reason {
            case .cancelled:
                decision.settle(RunOutcome(status: .cancelled, result: nil, error: "The run was cancelled."))
            case .timedOut:
                decision.settle(
                    RunOutcome(
                        status: .timeout, result: nil,
                        error: "The run exceeded its timeout of \(timeout.wholeSeconds) s."
                    ))
            case .released:
                decision.settle(
                    RunOutcome(
                        status: .pending, result: nil,
                        error: "The gateway process stopped; the run goes back to the queue."
                    ))
            }
        }
        let outcome = await withTaskCancellationHandler {
            await decision.value
        } onCancel: {
            decision.settle(RunOutcome(status: .cancelled, result: nil, error: "The request that ran it went away."))
        }
        work.cancel()
        return outcome
    }

    private func bind() throws -> any Workflow {
        try entry.type.decodeBound(from: entry.bindingDocument(values))
    }

    private static func perform(_ workflow: some Workflow, context: ExecutionContext, maximumResultSize: Int) async
        -> RunOutcome
    {
        let value: any Encodable
        do {
            value = try await workflow.run(context)
        } catch let error as WorkflowError {
            return RunOutcome(status: .failed, result: nil, error: error.message)
        } catch is CancellationError {
            return RunOutcome(status: .cancelled, result: nil, error: "The run was cancelled.")
        } catch {
            return RunOutcome(
                status: .failed, result: nil, error: (error as? any LocalizedError)?.errorDescription ?? "\(error)")
        }
        guard let result = value as? JSONValue ?? (try? Self.jsonValue(of: value)) else {
            return RunOutcome(status: .failed, result: nil, error: "The result is not JSON.")
        }
        // What reads results later (encoders, redaction, the database) recurses: bound the depth as parsing does.
        guard result.depth <= 512 else {
            return RunOutcome(status: .failed, result: nil, error: "The result is nested deeper than 512 levels.")
        }
        let size = result.jsonText.utf8.count
        guard size <= maximumResultSize else {
            return RunOutcome(
                status: .failed, result: nil,
                error: "The result is \(size) bytes, more than the limit of \(maximumResultSize)."
            )
        }
        let succeeded = result["success"] != .bool(false)
        return RunOutcome(status: succeeded ? .success : .completedWithErrors, result: result, error: nil)
    }

    private static func jsonValue(of value: any Encodable) throws -> JSONValue {
        try JSONValue(parsing: JSONEncoder().encode(value))
    }
}

extension Workflow {
    /// An instance with its parameters bound from the validated input document.
    static func decodeBound(from document: JSONValue) throws -> any Workflow {
        try JSONValueDecoder().decode(Self.self, from: document)
    }
}

/// The first outcome wins; later ones are ignored.
private final class Decision: Sendable {
    private struct State {
        var outcome: RunOutcome?
        var waiter: CheckedContinuation<RunOutcome, Never>?
    }

    private let state = Mutex(State())

    func settle(_ outcome: RunOutcome) {
        let waiter: CheckedContinuation<RunOutcome, Never>? = state.withLock { state in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: outcome)
    }

    var value: RunOutcome {
        get async {
            await withCheckedContinuation { continuation in
                let ready: RunOutcome? = state.withLock { state in
                    if let outcome = state.outcome { return outcome }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}

extension Duration {
    var wholeSeconds: Int64 { components.seconds }
}
