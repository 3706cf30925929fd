public import Foundation

/// What a notification on `PostgresOAuthConnectionRepository.channel` says changed, so that every replica forgets the cached
/// tokens it makes stale, and only those.
public enum OAuthChange: Sendable, Hashable {
    /// A connection's tokens or status changed (a refresh, a new authorization): tokens cached from it are stale.
    case tokens(connectionID: UUID)
    /// A connection was created, changed or deleted. Stale: tokens cached from it, and tokens cached for its name in
    /// its organisation (for a global connection, in every organisation), which may now resolve to another one.
    case connection(id: UUID, organizationID: UUID?, name: String)
    /// An organisation was deactivated, or its Entra tenant changed (triggers of migrations 0017 and 0022 say
    /// so): the tokens cached for it may no longer be handed out.
    case organization(UUID)

    /// The notification's payload: `<id>` (tokens), `connection <id> <organisation id|global> <name>` or
    /// `organization <id>`.
    public var payload: String {
        switch self {
        case .tokens(let id):
            id.lowercasedText
        case .connection(let id, let organization, let name):
            "connection \(id.lowercasedText) \(organization?.lowercasedText ?? "global") \(name)"
        case .organization(let id):
            "organization \(id.lowercasedText)"
        }
    }

    /// Reads a payload; nil for anything else (a replica of another version may send what this one cannot read).
    public init?(payload: String) {
        let words = payload.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if words.count == 1, let id = UUID(uuidString: payload) {
            self = .tokens(connectionID: id)
            return
        }
        switch (words.first, words.count) {
        case ("connection", 4):
            guard let id = UUID(uuidString: words[1]), OAuthConnection.isValidName(words[3]) else { return nil }
            let organization: UUID?
            if words[2] == "global" {
                organization = nil
            } else if let parsed = UUID(uuidString: words[2]) {
                organization = parsed
            } else {
                return nil
            }
            self = .connection(id: id, organizationID: organization, name: words[3])
        case ("organization", 2):
            guard let id = UUID(uuidString: words[1]) else { return nil }
            self = .organization(id)
        default:
            return nil
        }
    }

    /// The payload of a change to the `oauth_connections` row in scope of a statement, as an SQL expression.
    static let rowPayloadSQL = """
        'connection ' || id::text || ' ' || coalesce(organization_id::text, 'global') || ' ' || name
        """
}
