public import Foundation

/// One line of a run's log.
public struct ExecutionLogLine: Sendable, Hashable {
    public var sequence: Int
    /// `debug`, `info`, `warning` or `error`.
    public var level: String
    public var message: String
    public var loggedAt: Date

    public init(sequence: Int, level: String, message: String, loggedAt: Date) {
        self.sequence = sequence
        self.level = level
        self.message = message
        self.loggedAt = loggedAt
    }
}
