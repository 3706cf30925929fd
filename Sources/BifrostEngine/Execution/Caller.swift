import Bifrost
public import BifrostStore
public import Foundation

/// Who asks for a run, in which scope: what becomes the workflow's `ExecutionContext` and the record's actor.
public struct Caller: Sendable {
    public var organizationID: UUID?
    public var userID: UUID?
    public var email: String?
    public var name: String?
    public var isPlatformAdmin: Bool
    public var actor: ExecutionActor

    public init(
        organizationID: UUID?, userID: UUID?, email: String?, name: String?, isPlatformAdmin: Bool,
        actor: ExecutionActor
    ) {
        self.organizationID = organizationID
        self.userID = userID
        self.email = email
        self.name = name
        self.isPlatformAdmin = isPlatformAdmin
        self.actor = actor
    }
}
