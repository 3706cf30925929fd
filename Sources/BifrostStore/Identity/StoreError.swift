/// Failures a repository reports in domain terms; the database's own message never reaches a client.
public enum StoreError: Error, Sendable, Equatable {
    /// A unique value (an email, a name) is already taken; the associated text names the field.
    case conflict(String)
    /// A referenced row does not exist (or is outside the caller's scope).
    case notFound
}
