import BifrostStore

/// Why a run did not start.
public enum ExecutionRefusal: Error, Sendable {
    case unknownWorkflow(String)
    /// The workflow requires an organisation and the caller acts in global scope.
    case needsOrganization(String)
    case invalidInput([InputProblem])
    /// Too many runs in progress, in total or for the organisation.
    case busy
}
