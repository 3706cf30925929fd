public import Bifrost
public import Foundation

/// A slot of a workflow's schedule, to fire.
public struct ScheduleSlot: Sendable, Hashable {
    public var workflow: String
    public var at: Date
    /// The process firing it.
    public var firedBy: UUID
    /// The runs' input: the workflow's defaults.
    public var input: JSONValue
    /// Whether it runs once per active organisation (else once, in global scope).
    public var perOrganization: Bool
    public var maximumAttempts: Int

    public init(
        workflow: String, at: Date, firedBy: UUID, input: JSONValue, perOrganization: Bool, maximumAttempts: Int
    ) {
        self.workflow = workflow
        self.at = at
        self.firedBy = firedBy
        self.input = input
        self.perOrganization = perOrganization
        self.maximumAttempts = maximumAttempts
    }
}
