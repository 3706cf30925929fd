public import Foundation

/// Whose data a query may touch: one organisation's, or the global (platform-wide) rows.
///
/// Every repository method that reads or writes tenant data takes a `Scope`, never a bare organisation id, so
/// a query without a tenant filter cannot be written by accident.
public enum Scope: Sendable, Hashable, CustomStringConvertible {
    /// Rows of this organisation.
    case organization(UUID)
    /// Rows that belong to no organisation (`organization_id IS NULL`).
    case global

    /// The organisation id, or nil for global scope.
    public var organizationID: UUID? {
        if case .organization(let id) = self { return id }
        return nil
    }

    public var description: String { organizationID.map { "organization:\($0)" } ?? "global" }
}

/// Which rows a list may show.
public enum Visibility: Sendable, Hashable {
    /// Only the rows of this scope.
    case only(Scope)
    /// Every row of every organisation and global scope (platform admins asking `?scope=all`).
    case everything
}

extension Visibility {
    /// (`everything`, the scope's organisation) as bind parameters of a tenant filter:
    /// `(everything OR organization_id IS NOT DISTINCT FROM organisation)`.
    var filter: (Bool, UUID?) {
        switch self {
        case .everything: (true, nil)
        case .only(let scope): (false, scope.organizationID)
        }
    }
}
