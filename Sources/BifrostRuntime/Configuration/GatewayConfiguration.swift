public import BifrostStore
public import Configuration
import Foundation

/// Everything `bifrost serve` needs to know, read once at start and validated.
///
/// Keys (defaults in `Config/bifrost.yaml`; environment `BIFROST_<KEY>`; flags `--<key>`):
/// - `http.host` (string, `127.0.0.1`), `http.port` (int 0–65535, `8080`; 0 picks a free port)
/// - `http.maxBodySize` (bytes, `1048576`), `http.shutdownTimeout` (seconds, `8`)
/// - `http.eventLoops` (network I/O threads for HTTP and PostgreSQL; half the cores, at least one)
/// - `http.trustedProxies` (addresses or CIDR networks of load balancers; none), `http.maxStreams` (`1000`),
///   `http.maxStreamsPerPrincipal` (`20`)
/// - `database.url` (secret URL; unset = embedded development cluster), `database.maxConnections` (`20`),
///   `database.minConnections` (as many as `database.maxConnections`), `database.keepAlive` (seconds, `0` = off)
/// - `database.embedded.binDirectory` (folder with `pg_ctl`; searched for when unset)
/// - `data.directory` (`.bifrost`)
/// - `log.level` (`trace`…`critical`, `info`), `log.format` (`text` | `json`), `log.access` (`off` | `on` |
///   `sampled`), `log.accessSampleRatio` (`0.1`)
/// - `tracing.enabled` (`false`), `tracing.endpoint` (OTLP/HTTP traces address), `tracing.sampleRatio` (`0.1`),
///   `tracing.serviceName` (`bifrost`); `metrics.port` (a port of its own for `/metrics`; unset: the API's)
/// - `oauth.providersFile`, `oauth.redirectUri`, `oauth.refreshMargin` (seconds, `300`),
///   `oauth.allowInsecureLoopback` (`false`), `oauth.allowPrivateNetworks` (`false`)
public struct GatewayConfiguration: Sendable {
    public var http = HTTP()
    public var secrets = Secrets()
    public var files = Files()
    public var oauth = OAuth()
    public var workflows = Workflows()
    public var auth = Auth()
    public var oidc = OIDC()
    /// Folder with policy files; the policies built into this binary (the repository's `Policies/`) when unset.
    public var policiesDirectory: String?
    public var database = Database()
    public var log = Log()
    /// One line per request; off by default.
    public var accessLog = AccessLog.off
    public var tracing = Tracing()
    public var metrics = Metrics()
    /// Folder for the embedded cluster and other local state.
    public var dataDirectory: String = ".bifrost"

    /// Every key this type reads, as documented in `docs/configuration.md`.
    public static let documentedKeys = [
        "config.file", "http.host", "http.port", "http.maxBodySize", "http.shutdownTimeout", "http.corsOrigins",
        "http.eventLoops", "http.trustedProxies", "http.maxStreams", "http.maxStreamsPerPrincipal", "database.url",
        "database.directUrl", "database.maxConnections", "database.minConnections", "database.keepAlive",
        "database.embedded.binDirectory", "data.directory", "log.level", "log.format",
        "auth.signingKeyFile", "auth.accessTokenLifetime", "auth.refreshTokenLifetime", "auth.passwordIterations",
        "bootstrap.admin.email", "bootstrap.admin.password", "policies.directory", "oidc.issuers",
        "oidc.<name>.issuer", "oidc.<name>.audience", "oidc.<name>.jwksUri", "oidc.<name>.provisionUsers",
        "oidc.<name>.operator", "oidc.<name>.signIn", "oidc.<name>.authorizeUrl", "oidc.<name>.tokenUrl",
        "oidc.<name>.clientId", "oidc.<name>.clientSecret", "oidc.<name>.label", "oidc.keyRefetchInterval",
        "oidc.keyFetchTimeout", "workflows.maxConcurrentRuns",
        "workflows.maxConcurrentRunsPerOrganization",
        "workflows.maxResultSize", "workflows.workers", "workflows.drainTimeout", "workflows.leaseTimeout",
        "workflows.retentionDays", "masterKey", "masterKeyFile", "previousMasterKeys", "files.maxFileSize",
        "files.maxOrganizationSize",
        "oauth.providersFile", "oauth.redirectUri", "oauth.refreshMargin", "oauth.allowInsecureLoopback",
        "oauth.allowPrivateNetworks", "log.access", "log.accessSampleRatio", "tracing.enabled", "tracing.endpoint",
        "tracing.sampleRatio", "tracing.serviceName", "metrics.port",
    ]

    /// Where providers send browsers back after an authorization.
    public var oauthRedirectURL: String {
        oauth.redirectURL ?? "http://\(http.host):\(http.port)/api/oauth/callback"
    }

    /// The defaults, as documented.
    public init() {}

    /// Reads and validates every key: each section reads the keys under its own prefix.
    /// - Throws: `ConfigurationError` for the first value that cannot be used.
    public init(reader: ConfigReader) throws {
        let values = ConfigValues(reader: reader)
        http = try HTTP(reading: values.scoped(to: "http"))
        database = try Database(reading: values.scoped(to: "database"))
        dataDirectory = try values.string("data.directory") ?? dataDirectory
        auth = try Auth(
            reading: values.scoped(to: "auth"), bootstrap: values.scoped(to: "bootstrap").scoped(to: "admin"))
        policiesDirectory = try values.string("policies.directory")
        secrets = try Secrets(reading: values)
        files = try Files(reading: values.scoped(to: "files"))
        oauth = try OAuth(reading: values.scoped(to: "oauth"))
        oidc = try OIDC(reading: values.scoped(to: "oidc"), allowInsecureLoopback: oauth.allowInsecureLoopback)
        workflows = try Workflows(reading: values.scoped(to: "workflows"))
        log = try Log(reading: values.scoped(to: "log"))
        accessLog = try AccessLog(reading: values.scoped(to: "log"))
        tracing = try Tracing(reading: values.scoped(to: "tracing"))
        metrics = try Metrics(reading: values.scoped(to: "metrics"))
    }
}

extension GatewayConfiguration {
    /// Settings of the embedded development cluster this configuration asks for.
    public var embeddedPostgres: EmbeddedPostgres.Settings {
        var settings = EmbeddedPostgres.Settings(dataDirectory: dataDirectory)
        settings.binDirectory = database.embeddedBinDirectory
        return settings
    }
}
