import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// The condition that a row's `organization_id` is one `visibility` shows, written so that an index leading with
    /// `organization_id` serves it: `TRUE`, `organization_id = $n`, or `organization_id IS NULL`. (The shorter
    /// `organization_id IS NOT DISTINCT FROM $n` is never an index condition: on a large table it reads every row.)
    mutating func appendInterpolation(organizationOf visibility: Visibility) {
        switch visibility {
        case .everything: appendLiteral("TRUE")
        case .only(.global): appendLiteral("organization_id IS NULL")
        case .only(.organization(let id)):
            appendLiteral("organization_id = ")
            appendInterpolation(id)
        }
    }
}
