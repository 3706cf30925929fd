public import BifrostStore
public import Foundation

/// Who is calling, as established by authentication.
public struct Principal: Sendable, Hashable {
    /// The authenticated user.
    public var user: User

    /// The policy role of the caller.
    public var role: String { user.role.rawValue }
    public var isPlatformAdmin: Bool { user.isPlatformAdmin }
    /// The caller's own organisation; nil for platform admins.
    public var organizationID: UUID? { user.organizationID }

    public init(user: User) {
        self.user = user
    }
}

/// The caller and the scope its request acts in; set by `AuthenticationMiddleware` for the rest of the request.
public struct RequestIdentity: Sendable, Hashable {
    public var principal: Principal
    public var scope: Scope

    /// The identity of the request being handled; generated OpenAPI handlers cannot see the router context,
    /// so it travels in a task local.
    @TaskLocal public static var current: RequestIdentity?
}
