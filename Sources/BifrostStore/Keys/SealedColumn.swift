/// A table whose rows hold a value sealed under their scope's data key (columns `organization_id`, `sealed`,
/// `data_key_version` and a name column): rotating a data key re-encrypts every such value, and the key status
/// counts those still under an older version.
struct SealedColumn: Sendable {
    /// The table.
    var table: String
    /// The column naming the value within its scope (part of what the sealing is bound to).
    var nameColumn: String
    /// What the values are (the `kind` they were sealed with).
    var kind: String

    /// Every sealed value the gateway stores.
    static let all = [
        SealedColumn(table: "secrets", nameColumn: "name", kind: "secret"),
        SealedColumn(table: "config", nameColumn: "key", kind: "config"),
        SealedColumn(table: "oauth_connections", nameColumn: "name", kind: "oauth"),
        SealedColumn(table: "endpoint_secrets", nameColumn: "id", kind: "webhook-secret"),
        SealedColumn(table: "signing_keys", nameColumn: "kid", kind: "signing-key"),
        SealedColumn(table: "oauth_tenant_tokens", nameColumn: "name", kind: "oauth-tenant"),
    ]
}
