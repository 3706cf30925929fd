/// An error a workflow (or the SDK) throws with a message meant for the execution record.
public struct WorkflowError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Whether the failure is a service the gateway does not offer.
    public var isUnavailable: Bool

    public init(_ message: String) {
        self.message = message
        self.isUnavailable = false
    }

    /// A call to an SDK service that is not available.
    public static func unavailable(_ message: String) -> Self {
        var error = WorkflowError(message)
        error.isUnavailable = true
        return error
    }

    public var description: String { message }
}
