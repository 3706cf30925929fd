public import BifrostStore
import Foundation
public import Configuration
public import Logging

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
/// - `log.level` (`trace`…`critical`, `info`), `log.format` (`text` | `json`)
/// - `oauth.providersFile`, `oauth.redirectUri`, `oauth.refreshMargin` (seconds, `300`),
///   `oauth.allowInsecureLoopback` (`false`), `oauth.allowPrivateNetworks` (`false`)
public struct GatewayConfiguration: Sendable {
    /// Where the HTTP server listens and how it treats requests.
    public struct HTTP: Sendable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        /// Largest request body accepted, in bytes; larger ones get 413.
        public var maxBodySize: Int = 1 << 20
        /// How long in-flight requests may take to finish after SIGTERM.
        public var shutdownTimeout: Duration = .seconds(8)
        /// Browser origins allowed to call the API (CORS), exactly as browsers send them
        /// (`https://admin.example.com`); none by default.
        public var corsOrigins: [String] = []
        /// Threads doing the network I/O of HTTP connections and PostgreSQL connections (SwiftNIO event loops).
        /// Requests and runs execute on Swift's own pool of one thread per core, so by default half the cores do
        /// I/O: measured on 2 cores shared with PostgreSQL, one event loop instead of two served the queue
        /// benchmark's live load 5 % faster and drained it 12 % faster, with less CPU per job.
        public var eventLoops: Int = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
        /// Load balancers whose `Forwarded`/`X-Forwarded-For` headers give the client's address; none by default
        /// (the TCP peer is the client).
        public var trustedProxies = TrustedProxies()
        /// Live-update streams (Server-Sent Events and WebSockets) open at once in this process; more get 429.
        public var maxStreams: Int = 1_000
        /// The same, per user or API key.
        public var maxStreamsPerPrincipal: Int = 20
    }

    /// Which database to use.
    public struct Database: Sendable {
        /// An external server; nil means the embedded development cluster under `dataDirectory`.
        public var url: DatabaseURL?
        public var maxConnections: Int = 20
        /// Connections kept open while unused; by default all of them (a pool of fixed size). Connections beyond
        /// it open on demand and close after a minute unused, and every return of one to the pool arms that
        /// minute's timer: measured with `Benchmarks/memory.sh` (8 connections), with 4 kept open the process grew
        /// from 55 to 92 MB in 20 s of database-bound requests and served `GET /health/ready` at 6,500–8,200
        /// req/s; with all 20 kept open it stayed at 57 MB and served 10,900–11,400.
        public var minConnections: Int = 20
        /// How often an unused connection is checked with `SELECT 1`; nil (the default): never. Turn it on where a
        /// firewall or NAT gateway drops quiet connections. Off by default because the check's timer is re-armed
        /// every time a connection goes back to the pool: measured, 10–14 % of the gateway's throughput on
        /// database-bound requests (`GET /health/ready` 9,400 against 10,900 req/s) and memory that grows with
        /// the request rate.
        public var keepAlive: Duration?
        /// Folder with the PostgreSQL server programs, for the embedded cluster.
        public var embeddedBinDirectory: String?
    }

    /// How the process logs.
    public struct Log: Sendable {
        public enum Format: String, Sendable { case text, json }
        public var level: Logger.Level = .info
        public var format: Format = .text
    }

    /// How callers authenticate.
    public struct Auth: Sendable {
        /// PEM file with the EC P-256 key that signs access tokens; generated under the data folder when unset.
        public var signingKeyFile: String?
        public var accessTokenLifetime: Duration = .seconds(900)
        public var refreshTokenLifetime: Duration = .seconds(7 * 24 * 3600)
        /// PBKDF2-HMAC-SHA256 iterations for new password hashes.
        public var passwordIterations: Int = 600_000
        /// Platform admin created at start when no user exists yet.
        public var bootstrapAdminEmail: String?
        public var bootstrapAdminPassword: String?
    }

    /// An OpenID Connect issuer (Microsoft Entra ID) whose bearer tokens the gateway accepts.
    public struct OIDCIssuer: Sendable, Hashable {
        /// The name under `oidc.issuers`, used in keys and logs.
        public var name: String
        /// The `iss` the issuer writes; `{tenantid}` stands for the token's `tid` (multi-tenant Entra apps).
        public var issuer: String
        /// The `aud` tokens must carry: the application (client) id or its URI.
        public var audience: String
        /// Where the signing keys are; discovered from the issuer's metadata when unset.
        public var jwksURI: String?
        /// Whether an unknown user of a mapped tenant is created (as `org_member`) at their first sign-in.
        public var provisionUsers: Bool = false
        /// Whether this is the operator's own tenant: the only issuer through which platform admins sign in (and
        /// are found by email at their first sign-in). Never a multi-tenant issuer.
        public var isOperator: Bool = false

        public init(
            name: String, issuer: String, audience: String, jwksURI: String?, provisionUsers: Bool = false,
            isOperator: Bool = false
        ) {
            self.name = name
            self.issuer = issuer
            self.audience = audience
            self.jwksURI = jwksURI
            self.provisionUsers = provisionUsers
            self.isOperator = isOperator
        }
    }

    /// OpenID Connect issuers and how their keys are fetched.
    public struct OIDC: Sendable {
        public var issuers: [OIDCIssuer] = []
        /// Shortest time between two key-set fetches caused by an unknown `kid`.
        public var keyRefetchInterval: Duration = .seconds(60)
        /// Longest a request for an issuer's metadata or key set may take.
        public var keyFetchTimeout: Duration = .seconds(10)
    }

    /// How many workflow runs may be in progress, and how large their results may be.
    public struct Workflows: Sendable {
        public var maxConcurrentRuns: Int = 64
        public var maxConcurrentRunsPerOrganization: Int = 16
        /// Largest JSON result a run may return, in bytes.
        public var maxResultSize: Int = 1 << 20
        /// Queued runs this process runs at once.
        public var workers: Int = 4
        /// How long queued runs in progress may go on after SIGTERM before they are handed back to the queue.
        public var drainTimeout: Duration = .seconds(5)
        /// How long a process may miss its heartbeat before another replica takes over its queued runs
        /// (heartbeats go every sixth of it).
        public var leaseTimeout: Duration = .seconds(60)
        /// How long finished runs and their logs are kept.
        public var retention: Duration = .seconds(30 * 86_400)
    }

    /// OAuth connections: where providers are described, where they send browsers back, when tokens refresh.
    public struct OAuth: Sendable {
        /// A provider catalogue to use instead of the built-in `Config/oauth-providers.yaml`.
        public var providersFile: String?
        /// The callback address registered with providers; `http://{http.host}:{http.port}/api/oauth/callback`
        /// when unset.
        public var redirectURL: String?
        /// A token this close to expiry is refreshed before a run gets it.
        public var refreshMargin: Duration = .seconds(300)
        /// Token and authorize URLs may point to this machine (loopback addresses), over plain `http` too: for
        /// development and tests, where the provider runs locally. Off by default.
        public var allowInsecureLoopback = false
        /// Token and authorize URLs may point to private networks (RFC 1918, unique-local, link-local,
        /// carrier-grade NAT), over `https`: for an identity provider inside the operator's network. It applies to
        /// every connection, organisations' included. Off by default; cloud metadata addresses are refused anyway.
        public var allowPrivateNetworks = false
    }

    /// How large runs' files may be.
    public struct Files: Sendable {
        /// Bytes per file.
        public var maxFileSize = 10 << 20
        /// Bytes of all an organisation's files (workspace and temporary).
        public var maxOrganizationSize = 1 << 30
    }

    /// Where the master key of envelope encryption comes from (see `MasterKeyLoader`).
    public struct Secrets: Sendable {
        /// Base64 of 32 bytes (environment `BIFROST_MASTER_KEY`); never logged.
        public var masterKey: String?
        /// A file holding it, readable by its owner only.
        public var masterKeyFile: String?
        /// Earlier master keys (base64, comma-separated; environment `BIFROST_PREVIOUS_MASTER_KEYS`), needed until
        /// `bifrost keys rotate` has re-wrapped the data keys they wrap; never logged.
        public var previousMasterKeys: [String] = []
    }

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
    /// Folder for the embedded cluster and other local state.
    public var dataDirectory: String = ".bifrost"

    /// Every key this type reads, as documented in the README's configuration table.
    public static let documentedKeys = [
        "config.file", "http.host", "http.port", "http.maxBodySize", "http.shutdownTimeout", "http.corsOrigins",
        "http.eventLoops", "http.trustedProxies", "http.maxStreams", "http.maxStreamsPerPrincipal", "database.url", "database.maxConnections", "database.minConnections", "database.keepAlive",
        "database.embedded.binDirectory", "data.directory", "log.level", "log.format",
        "auth.signingKeyFile", "auth.accessTokenLifetime", "auth.refreshTokenLifetime", "auth.passwordIterations",
        "bootstrap.admin.email", "bootstrap.admin.password", "policies.directory", "oidc.issuers",
        "oidc.<name>.issuer", "oidc.<name>.audience", "oidc.<name>.jwksUri", "oidc.<name>.provisionUsers",
        "oidc.<name>.operator", "oidc.keyRefetchInterval", "oidc.keyFetchTimeout", "workflows.maxConcurrentRuns",
        "workflows.maxConcurrentRunsPerOrganization",
        "workflows.maxResultSize", "workflows.workers", "workflows.drainTimeout", "workflows.leaseTimeout",
        "workflows.retentionDays", "masterKey", "masterKeyFile", "previousMasterKeys", "files.maxFileSize", "files.maxOrganizationSize",
        "oauth.providersFile", "oauth.redirectUri", "oauth.refreshMargin", "oauth.allowInsecureLoopback",
        "oauth.allowPrivateNetworks",
    ]

    /// Where providers send browsers back after an authorization.
    public var oauthRedirectURL: String {
        oauth.redirectURL ?? "http://\(http.host):\(http.port)/api/oauth/callback"
    }

    /// The defaults, as documented.
    public init() {}

    /// Reads and validates every key.
    /// - Throws: `ConfigurationError` for the first value that cannot be used.
    public init(reader: ConfigReader) throws {
        let values = ValueReader(reader: reader)
        http.host = try values.string("http.host") ?? http.host
        http.port = try values.integer("http.port", in: 0...65_535) ?? http.port
        http.maxBodySize = try values.integer("http.maxBodySize", in: 1...(1 << 30)) ?? http.maxBodySize
        if let seconds = try values.integer("http.shutdownTimeout", in: 0...3_600) {
            http.shutdownTimeout = .seconds(seconds)
        }
        http.eventLoops = try values.integer("http.eventLoops", in: 1...256) ?? http.eventLoops
        http.corsOrigins = try values.list("http.corsOrigins")
        for origin in http.corsOrigins {
            guard let url = URL(string: origin), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                url.path.isEmpty, url.query == nil
            else {
                throw ConfigurationError(
                    key: "http.corsOrigins", value: origin, expected: "origins such as https://admin.example.com"
                )
            }
        }
        var proxies: [AddressRange] = []
        for entry in try values.list("http.trustedProxies") {
            guard let range = AddressRange(entry) else {
                throw ConfigurationError(
                    key: "http.trustedProxies", value: entry, expected: "IP addresses or networks such as 10.0.0.0/8"
                )
            }
            proxies.append(range)
        }
        http.trustedProxies = TrustedProxies(proxies)
        http.maxStreams = try values.integer("http.maxStreams", in: 1...1_000_000) ?? http.maxStreams
        http.maxStreamsPerPrincipal = try values.integer("http.maxStreamsPerPrincipal", in: 1...10_000)
            ?? http.maxStreamsPerPrincipal
        if let url = try values.string("database.url", isSecret: true) {
            do {
                database.url = try DatabaseURL(parsing: url)
            } catch {
                throw ConfigurationError(
                    key: "database.url", value: url, expected: "a postgres:// URL (\(error))", isSecret: true
                )
            }
        }
        database.maxConnections = try values.integer("database.maxConnections", in: 1...1_000) ?? database.maxConnections
        database.minConnections =
            try values.integer("database.minConnections", in: 0...database.maxConnections) ?? database.maxConnections
        if let seconds = try values.integer("database.keepAlive", in: 0...3_600) {
            database.keepAlive = seconds > 0 ? .seconds(seconds) : nil
        }
        database.embeddedBinDirectory = try values.string("database.embedded.binDirectory")
        dataDirectory = try values.string("data.directory") ?? dataDirectory
        auth.signingKeyFile = try values.string("auth.signingKeyFile")
        if let seconds = try values.integer("auth.accessTokenLifetime", in: 60...86_400) {
            auth.accessTokenLifetime = .seconds(seconds)
        }
        if let seconds = try values.integer("auth.refreshTokenLifetime", in: 300...(90 * 86_400)) {
            auth.refreshTokenLifetime = .seconds(seconds)
        }
        auth.passwordIterations = try values.integer("auth.passwordIterations", in: 100_000...10_000_000)
            ?? auth.passwordIterations
        auth.bootstrapAdminEmail = try values.string("bootstrap.admin.email")
        auth.bootstrapAdminPassword = try values.string("bootstrap.admin.password", isSecret: true)
        policiesDirectory = try values.string("policies.directory")
        secrets.masterKey = try values.string("masterKey", isSecret: true)
        secrets.masterKeyFile = try values.string("masterKeyFile")
        files.maxFileSize = try values.integer("files.maxFileSize", in: 1...(1 << 30)) ?? files.maxFileSize
        files.maxOrganizationSize = try values.integer("files.maxOrganizationSize", in: 1...(1 << 40))
            ?? files.maxOrganizationSize
        oauth.providersFile = try values.string("oauth.providersFile")
        if let url = try values.string("oauth.redirectUri") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ConfigurationError(key: "oauth.redirectUri", value: url, expected: "an http or https URL")
            }
            oauth.redirectURL = url
        }
        if let seconds = try values.integer("oauth.refreshMargin", in: 0...86_400) {
            oauth.refreshMargin = .seconds(seconds)
        }
        oauth.allowInsecureLoopback = try values.boolean("oauth.allowInsecureLoopback") ?? oauth.allowInsecureLoopback
        oauth.allowPrivateNetworks = try values.boolean("oauth.allowPrivateNetworks") ?? oauth.allowPrivateNetworks
        secrets.previousMasterKeys = try values.string("previousMasterKeys", isSecret: true)
            .map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        oidc = try OIDC(values)
        workflows.maxConcurrentRuns = try values.integer("workflows.maxConcurrentRuns", in: 1...10_000)
            ?? workflows.maxConcurrentRuns
        workflows.maxConcurrentRunsPerOrganization = try values.integer(
            "workflows.maxConcurrentRunsPerOrganization", in: 1...10_000
        ) ?? workflows.maxConcurrentRunsPerOrganization
        workflows.maxResultSize = try values.integer("workflows.maxResultSize", in: 1_024...(64 << 20))
            ?? workflows.maxResultSize
        workflows.workers = try values.integer("workflows.workers", in: 0...1_000) ?? workflows.workers
        if let seconds = try values.integer("workflows.drainTimeout", in: 0...3_600) {
            workflows.drainTimeout = .seconds(seconds)
        }
        if let seconds = try values.integer("workflows.leaseTimeout", in: 3...3_600) {
            workflows.leaseTimeout = .seconds(seconds)
        }
        if let days = try values.integer("workflows.retentionDays", in: 1...3_650) {
            workflows.retention = .seconds(days * 86_400)
        }
        if let level = try values.string("log.level") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError(
                    key: "log.level", value: level,
                    expected: "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                )
            }
            log.level = parsed
        }
        if let format = try values.string("log.format") {
            guard let parsed = Log.Format(rawValue: format.lowercased()) else {
                throw ConfigurationError(key: "log.format", value: format, expected: "text or json")
            }
            log.format = parsed
        }
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

extension GatewayConfiguration.OIDC {
    /// Reads `oidc.issuers` (names) and each named issuer's keys.
    fileprivate init(_ values: ValueReader) throws {
        if let seconds = try values.integer("oidc.keyRefetchInterval", in: 0...86_400) {
            keyRefetchInterval = .seconds(seconds)
        }
        if let seconds = try values.integer("oidc.keyFetchTimeout", in: 1...120) {
            keyFetchTimeout = .seconds(seconds)
        }
        for name in try values.list("oidc.issuers") {
            guard name.first?.isLetter == true, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }) else {
                throw ConfigurationError(key: "oidc.issuers", value: name, expected: "names of lower-case letters and digits")
            }
            func required(_ field: String) throws -> String {
                let key = "oidc.\(name).\(field)"
                guard let value = try values.string(key) else {
                    throw ConfigurationError(key: key, value: "", expected: "a value for issuer \(name)")
                }
                return value
            }
            let issuer = GatewayConfiguration.OIDCIssuer(
                name: name, issuer: try required("issuer"), audience: try required("audience"),
                jwksURI: try values.string("oidc.\(name).jwksUri"),
                provisionUsers: try values.boolean("oidc.\(name).provisionUsers") ?? false,
                isOperator: try values.boolean("oidc.\(name).operator") ?? false
            )
            guard issuer.issuer.hasPrefix("https://") || issuer.issuer.hasPrefix("http://") else {
                throw ConfigurationError(key: "oidc.\(name).issuer", value: issuer.issuer, expected: "an https:// URL")
            }
            if issuer.jwksURI == nil, issuer.issuer.contains("{tenantid}") {
                throw ConfigurationError(
                    key: "oidc.\(name).jwksUri", value: "",
                    expected: "a JWKS URL: an issuer with {tenantid} has no single metadata document"
                )
            }
            if issuer.isOperator, issuer.issuer.contains("{tenantid}") {
                throw ConfigurationError(
                    key: "oidc.\(name).operator", value: "true",
                    expected: "false for a multi-tenant issuer ({tenantid}): any tenant could sign in as a platform admin"
                )
            }
            issuers.append(issuer)
        }
    }
}

/// Reads raw strings and converts them itself, so that a malformed value is an error rather than a silent default.
private struct ValueReader {
    let reader: ConfigReader

    func string(_ key: String, isSecret: Bool = false) throws -> String? {
        guard let value = reader.string(forKey: ConfigKey(key), isSecret: isSecret) else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw ConfigurationError(key: key, value: value, expected: "a non-empty value", isSecret: isSecret)
        }
        return trimmed
    }

    func boolean(_ key: String) throws -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw ConfigurationError(key: key, value: text, expected: "true or false")
        }
    }

    /// A list given as a YAML sequence or as one comma-separated string (environment, flags).
    func list(_ key: String) throws -> [String] {
        let items = try string(key).map { $0.split(separator: ",").map(String.init) }
            ?? reader.stringArray(forKey: ConfigKey(key)) ?? []
        return items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try string(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                key: key, value: text, expected: "an integer from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return value
    }
}
