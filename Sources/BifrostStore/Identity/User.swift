public import Foundation

/// Someone who calls the gateway: a platform admin (no organisation) or an organisation's admin or member.
public struct User: Sendable, Hashable {
    /// What a user may do; policies grant operations to these names.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case platformAdmin = "platform_admin"
        case orgAdmin = "org_admin"
        case orgMember = "org_member"

        /// Order of power: a principal may hand out a role only up to its own rank.
        public var rank: Int {
            switch self {
            case .platformAdmin: 3
            case .orgAdmin: 2
            case .orgMember: 1
            }
        }
    }

    public var id: UUID
    /// The user's organisation; nil for platform admins.
    public var organizationID: UUID?
    public var email: String
    public var name: String
    public var role: Role
    public var isActive: Bool
    public var createdAt: Date
    /// Workflow roles held (`WorkflowRole`): which role-limited workflows the user may run as an organisation
    /// member. Not the policy role.
    public var workflowRoles: Set<String>

    /// Whether this user administers the whole platform.
    public var isPlatformAdmin: Bool { role == .platformAdmin }

    public init(
        id: UUID, organizationID: UUID?, email: String, name: String, role: Role, isActive: Bool, createdAt: Date,
        workflowRoles: Set<String> = []
    ) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.name = name
        self.role = role
        self.isActive = isActive
        self.createdAt = createdAt
        self.workflowRoles = workflowRoles
    }
}

/// What creating a user needs; the password arrives already hashed.
public struct NewUser: Sendable {
    public var email: String
    public var name: String
    public var role: User.Role
    /// Nil exactly when `role` is `platformAdmin`.
    public var organizationID: UUID?
    public var passwordHash: String?
    /// The Microsoft Entra object id (`oid`) of a user provisioned at their first Entra sign-in.
    public var entraObjectID: String?
    /// Workflow roles the user holds from the start.
    public var workflowRoles: Set<String>

    public init(
        email: String, name: String, role: User.Role, organizationID: UUID?, passwordHash: String?,
        entraObjectID: String? = nil, workflowRoles: Set<String> = []
    ) {
        self.email = email
        self.name = name
        self.role = role
        self.organizationID = organizationID
        self.passwordHash = passwordHash
        self.entraObjectID = entraObjectID
        self.workflowRoles = workflowRoles
    }
}

/// Changes to a user; nil fields stay as they are.
public struct UserChanges: Sendable {
    public var name: String?
    public var role: User.Role?
    public var passwordHash: String?
    public var isActive: Bool?
    /// Replaces every workflow role the user holds.
    public var workflowRoles: Set<String>?

    public init(
        name: String? = nil, role: User.Role? = nil, passwordHash: String? = nil, isActive: Bool? = nil,
        workflowRoles: Set<String>? = nil
    ) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.isActive = isActive
        self.workflowRoles = workflowRoles
    }
}
