public import Foundation

/// Stored users.
public protocol UserRepository: Sendable {
    /// Creates a user. - Throws: `StoreError.conflict` when the email is taken.
    func create(_ user: NewUser) async throws -> User
    /// The user with this email (compared case-insensitively) and its password hash, for login only.
    func credentials(forEmail email: String) async throws -> (user: User, passwordHash: String?)?
    /// The user with this id, whatever its organisation; for authentication, never for tenant reads.
    func find(id: UUID) async throws -> User?
    /// The user linked to this Microsoft Entra object id (`oid`), whatever its organisation; for authentication.
    func find(entraObjectID: String) async throws -> User?
    /// Links a user to an Entra object id; false when the user is already linked to another one (or the id to
    /// another user).
    func link(_ id: UUID, toEntraObject objectID: String) async throws -> Bool
    /// Whether any user exists (bootstrap runs only on an empty table).
    func isEmpty() async throws -> Bool
    /// Users visible in `visibility`, by email.
    func list(_ visibility: Visibility) async throws -> [User]
    /// The user with this id if it lives in `scope`.
    func get(_ id: UUID, in scope: Scope) async throws -> User?
    /// Applies `changes` to a user of `scope`; a new password hash also revokes every refresh token of the user
    /// (ends all their login sessions). - Throws: `StoreError.notFound` outside the scope.
    func update(_ id: UUID, in scope: Scope, _ changes: UserChanges) async throws -> User
    /// Deletes a user of `scope`. - Throws: `StoreError.notFound` outside the scope.
    func delete(_ id: UUID, in scope: Scope) async throws
}
