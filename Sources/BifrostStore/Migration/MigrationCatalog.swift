import Foundation

/// The migrations built into the executable (`Sources/BifrostStore/Migrations`, embedded by `Package.swift`), so
/// the binary needs no resource folder beside it.
public enum MigrationCatalog {
    /// Why the built-in migrations are unusable; a packaging mistake, never a user's.
    public struct InvalidCatalog: Error, CustomStringConvertible {
        public var description: String
    }

    /// Each migration's file name and text. A new migration file needs a line here too:
    /// `MigrationCatalogTests` fails while the folder and this list differ.
    static let embedded: [(fileName: String, sql: [UInt8])] = [
        ("0001_organizations.sql", PackageResources._001_organizations_sql),
        ("0002_identity.sql", PackageResources._002_identity_sql),
        ("0003_entra_users.sql", PackageResources._003_entra_users_sql),
        ("0004_executions.sql", PackageResources._004_executions_sql),
        ("0005_job_queue.sql", PackageResources._005_job_queue_sql),
        ("0006_schedules.sql", PackageResources._006_schedules_sql),
        ("0007_keys.sql", PackageResources._007_keys_sql),
        ("0008_secrets.sql", PackageResources._008_secrets_sql),
        ("0009_config.sql", PackageResources._009_config_sql),
        ("0010_files.sql", PackageResources._010_files_sql),
        ("0011_oauth.sql", PackageResources._011_oauth_sql),
        ("0012_endpoints.sql", PackageResources._012_endpoints_sql),
        ("0013_idempotency.sql", PackageResources._013_idempotency_sql),
        ("0014_lighter_webhook_deliveries.sql", PackageResources._014_lighter_webhook_deliveries_sql),
        ("0015_claim_function.sql", PackageResources._015_claim_function_sql),
        ("0016_execution_watches.sql", PackageResources._016_execution_watches_sql),
        ("0017_oauth_hardening.sql", PackageResources._017_oauth_hardening_sql),
        ("0018_deactivated_organizations.sql", PackageResources._018_deactivated_organizations_sql),
        ("0019_signing_keys.sql", PackageResources._019_signing_keys_sql),
        ("0020_oauth_refresh_leases.sql", PackageResources._020_oauth_refresh_leases_sql),
        (
            "0021_deployment_wide_organization_limit.sql",
            PackageResources._021_deployment_wide_organization_limit_sql
        ),
        ("0022_oauth_tenant_tokens.sql", PackageResources._022_oauth_tenant_tokens_sql),
        ("0023_workflow_roles.sql", PackageResources._023_workflow_roles_sql),
        ("0024_execution_history_index.sql", PackageResources._024_execution_history_index_sql),
        ("0025_execution_trace_id.sql", PackageResources._025_execution_trace_id_sql),
    ]

    /// Every built-in migration, ordered by version.
    /// - Throws: `InvalidCatalog` for a badly named file or two files with one number.
    public static func bundled() throws -> [Migration] {
        var migrations: [Migration] = []
        for (name, sql) in embedded {
            guard let version = name.split(separator: "_").first.flatMap({ Int($0) }) else {
                throw InvalidCatalog(description: "\(name): a migration file name starts with its number, e.g. 0001_")
            }
            migrations.append(Migration(version: version, fileName: name, sql: String(decoding: sql, as: UTF8.self)))
        }
        migrations.sort { $0.version < $1.version }
        for (earlier, later) in zip(migrations, migrations.dropFirst()) where earlier.version == later.version {
            throw InvalidCatalog(description: "\(earlier.fileName) and \(later.fileName) share a number")
        }
        return migrations
    }

    /// The names of the migrations built in, for the test that compares them with the folder.
    public static var embeddedFileNames: [String] { embedded.map(\.fileName) }
}
