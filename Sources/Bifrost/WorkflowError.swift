/// An error a workflow (or the SDK) throws with a message meant for the execution record.
public struct WorkflowError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
