/// An error a workflow (or the SDK) throws with a message meant for the execution record.
public struct WorkflowError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message: the run's error when a workflow throws it.
    public var message: String

    /// An error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
