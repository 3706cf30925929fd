public import PostgresNIO

/// Failures a repository reports in domain terms; the database's own message never reaches a client.
public enum StoreError: Error, Sendable, Equatable {
    /// A unique value (an email, a name) is already taken; the associated text names the field.
    case conflict(String)
    /// A referenced row does not exist (or is outside the caller's scope).
    case notFound
    /// The database refused a value the caller gave (a CHECK constraint, a length, text it cannot store); the
    /// associated text names the field as well as the database tells it.
    case invalid(String)

    /// The domain meaning of a refusal caused by the data written, or nil when the database itself failed.
    ///
    /// The field is the column PostgreSQL names, else the constraint's name without its table prefix and
    /// `_check`/`_key` suffix (`organizations_name_check` → `name`), else `(body)`.
    public init?(refusal error: PSQLError) {
        guard let info = error.serverInfo, let state = info[.sqlState] else { return nil }
        let field = Self.field(of: info)
        switch state {
        case SQLState.uniqueViolation: self = .conflict(field)
        case _ where SQLState.refusedInput.contains(state): self = .invalid(field)
        default: return nil
        }
    }

    private static func field(of info: PSQLError.ServerInfo) -> String {
        if let column = info[.columnName], !column.isEmpty { return column }
        guard var name = info[.constraintName], !name.isEmpty else { return "(body)" }
        if let table = info[.tableName], name.hasPrefix(table + "_") { name = String(name.dropFirst(table.count + 1)) }
        for suffix in ["_check", "_key", "_not_null"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
        }
        return name.isEmpty ? "(body)" : name
    }
}
