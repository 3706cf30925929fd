public import Foundation

/// An MSP customer: the unit of tenancy.
public struct Organization: Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var domain: String?
    /// The Microsoft Entra tenant that maps to this organisation, for Entra ID sign-in.
    public var entraTenantID: UUID?
    public var isActive: Bool
    public var createdAt: Date

    public init(id: UUID, name: String, domain: String?, entraTenantID: UUID?, isActive: Bool, createdAt: Date) {
        self.id = id
        self.name = name
        self.domain = domain
        self.entraTenantID = entraTenantID
        self.isActive = isActive
        self.createdAt = createdAt
    }
}

/// Changes to an organisation; nil fields stay as they are.
public struct OrganizationChanges: Sendable {
    public var name: String?
    public var domain: String?
    public var entraTenantID: UUID?
    public var isActive: Bool?

    public init(name: String? = nil, domain: String? = nil, entraTenantID: UUID? = nil, isActive: Bool? = nil) {
        self.name = name
        self.domain = domain
        self.entraTenantID = entraTenantID
        self.isActive = isActive
    }
}
