public import Foundation

/// Who started a run: a user or an API key (nil ids for the system), with a label for people.
public struct ExecutionActor: Sendable, Hashable {
    public var userID: UUID?
    public var apiKeyID: UUID?
    /// An email, a key's name and prefix, or `system`.
    public var label: String

    public init(userID: UUID? = nil, apiKeyID: UUID? = nil, label: String) {
        self.userID = userID
        self.apiKeyID = apiKeyID
        self.label = label
    }
}
