public import Foundation

/// A key for a per-organisation API client (or a global one, made by a platform admin in global scope).
/// Only the SHA-256 of the key is stored; `prefix` lets people recognise it.
public struct APIKey: Sendable, Hashable {
    public var id: UUID
    /// The organisation the key acts in; nil for a global key.
    public var organizationID: UUID?
    public var name: String
    public var prefix: String
    /// Policy role of calls made with the key.
    public var role: User.Role
    /// Workflows the key may run; nil means whatever the role allows.
    public var workflows: [String]?
    /// Workflow roles the key holds (`WorkflowRole`), for role-limited workflows; `workflows` still narrows.
    public var workflowRoles: Set<String>
    public var createdBy: UUID?
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?

    public init(
        id: UUID, organizationID: UUID?, name: String, prefix: String, role: User.Role, workflows: [String]?,
        createdBy: UUID?, createdAt: Date, expiresAt: Date?, lastUsedAt: Date?, workflowRoles: Set<String> = []
    ) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.prefix = prefix
        self.role = role
        self.workflows = workflows
        self.workflowRoles = workflowRoles
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }
}

/// What creating a key needs; the key itself never reaches the store, only its hash.
public struct NewAPIKey: Sendable {
    public var scope: Scope
    public var name: String
    public var prefix: String
    public var keyHash: String
    public var role: User.Role
    public var workflows: [String]?
    /// Workflow roles the key holds.
    public var workflowRoles: Set<String>
    public var createdBy: UUID?
    public var expiresAt: Date?

    public init(
        scope: Scope, name: String, prefix: String, keyHash: String, role: User.Role, workflows: [String]?,
        createdBy: UUID?, expiresAt: Date?, workflowRoles: Set<String> = []
    ) {
        self.scope = scope
        self.name = name
        self.prefix = prefix
        self.keyHash = keyHash
        self.role = role
        self.workflows = workflows
        self.workflowRoles = workflowRoles
        self.createdBy = createdBy
        self.expiresAt = expiresAt
    }
}

/// Stored API keys.
public protocol APIKeyRepository: Sendable {
    func create(_ key: NewAPIKey) async throws -> APIKey
    /// Keys visible in `visibility`, newest first, revoked ones left out.
    func list(_ visibility: Visibility) async throws -> [APIKey]
    /// Revokes a key of `scope`. - Throws: `StoreError.notFound` outside the scope or when already revoked.
    func revoke(_ id: UUID, in scope: Scope) async throws
    /// The live (unrevoked, unexpired) key with this hash, for authentication; records its use.
    func authenticate(keyHash: String) async throws -> APIKey?
    /// Whether key `id` is still unrevoked and unexpired, for callers that outlive their request (streams).
    func isLive(_ id: UUID) async throws -> Bool
}
