import BifrostAPI
import BifrostCrypto
public import BifrostEngine
public import BifrostOAuth
public import BifrostRuntime
public import BifrostStore
import BifrostTelemetry
public import Foundation
import Hummingbird
import HummingbirdWebSocket
public import Logging
public import Metrics
import OpenAPIHummingbird
import OpenAPIRuntime
public import PostgresNIO
public import Prometheus

/// Builds the gateway from its parts: `assemble` (in `Gateway+Assembly.swift`) is what `bifrost serve` and the
/// tests call; `buildEngine` and `buildRouters` are its steps.
public enum Gateway {
    /// What the application needs from outside; each part is created and run by the caller.
    public struct Dependencies: Sendable {
        /// Pooled database client; the caller runs it as a service.
        public var database: PostgresClient
        /// The client for connections that must be sessions of their own (`LISTEN`, the migrator's advisory
        /// lock) when `database` goes through a transaction-pooling proxy (`database.directUrl`); nil: `database`.
        /// The caller runs it as a service.
        public var sessionDatabase: PostgresClient?
        /// Schema status, set by `MigrationService`.
        public var schema: SchemaState
        /// Where request metrics are recorded and `/metrics` reads them.
        public var metrics: PrometheusCollectorRegistry
        /// Signs and verifies access tokens.
        public var tokens: AccessTokens
        /// The deployment's signing keys in the database, installed into `tokens` once the schema is current
        /// (unless `tokens` has a fixed key).
        public var signingKeys: SigningKeys
        /// Who may call which operation.
        public var policy: AccessPolicy
        /// How many requests each key, user and organisation may make.
        public var rateLimits: RateLimits
        /// The workflows and data providers this gateway offers.
        public var catalogue: WorkflowCatalogue
        /// This process, as recorded on the runs it owns.
        public var instanceID: UUID
        /// Recently verified credentials; `CredentialInvalidation.subscription` clears it on changes from any replica.
        public var credentials: CredentialCache
        /// Envelope keys for secrets; `bifrost serve` opens it at start-up (`KeyRing.open`). Left out, a ring under
        /// a random master key (tests that keep no secret beyond the process).
        public var keyRing: KeyRing
        /// OAuth connections' tokens: runs, the API and the refresh-ahead service share it.
        public var oauth: OAuthBroker
        /// What sends runs' `context.http` requests: one AsyncHTTPClient, made and shut down as the first of the
        /// assembly's services (so it stops last).
        public var outboundHTTP = OutboundHTTPTransport()
        /// Endpoints' signing secrets, opened and cached; `endpointSecretSubscription` keeps replicas in step.
        var endpointSecrets: EndpointSecretCache
        /// Each organisation's narrowings of role-limited workflows; its `subscription` keeps replicas in step.
        public var workflowAccess: WorkflowAccessCache
        /// Failed logins per account and address; tests give one with a clock of their own.
        public var loginThrottle = LoginThrottle()
        /// Where the access log goes (`log.access`); tests give one that captures its entries.
        public var accessLogger = Logger(label: "bifrost.access")
        /// Records into `metrics`, with the buckets of `MetricName.durationBuckets`: every module's metrics go
        /// through this factory, so that each gateway (each test) has a registry of its own.
        public var metricsFactory: any MetricsFactory { Gateway.metricsFactory(registry: metrics) }
        /// Forgets an endpoint's cached secrets whenever any replica changes them.
        public var endpointSecretSubscription: NotificationSubscription { endpointSecrets.subscription }

        /// Every notification a replica built from these dependencies, `engine` and `workers` listens for:
        /// credentials, data keys, OAuth connections, endpoint secrets, workflow access, queued jobs and the
        /// engine's channels. `bifrost serve` and the test harnesses listen with this one list, so neither can miss
        /// a channel.
        public func subscriptions(engine: ExecutionEngine, workers: JobWorkers) -> [NotificationSubscription] {
            [
                CredentialInvalidation.subscription(clearing: credentials), keyRing.subscription,
                signingKeys.subscription, oauth.subscription, endpointSecretSubscription, workflowAccess.subscription,
                workers.subscription,
            ] + engine.subscriptions
        }

        /// - Parameters:
        ///   - oauthProviders: the provider catalogue; the one built in when nil.
        ///   - oauthSettings: the broker's refresh margin and retries.
        public init(
            database: PostgresClient, schema: SchemaState, metrics: PrometheusCollectorRegistry, tokens: AccessTokens,
            policy: AccessPolicy, rateLimits: RateLimits, catalogue: WorkflowCatalogue, instanceID: UUID = UUID(),
            credentials: CredentialCache = CredentialCache(), keyRing: KeyRing? = nil,
            oauthProviders: OAuthProviderCatalogue? = nil, oauthSettings: OAuthBroker.Settings = .init()
        ) {
            let keyRing = keyRing ?? KeyRing(client: database, master: .random(), logger: Logger(label: "bifrost.keys"))
            let logger = Logger(label: "bifrost.oauth")
            let factory = Gateway.metricsFactory(registry: metrics)
            self.keyRing = keyRing
            self.endpointSecrets = EndpointSecretCache(
                store: PostgresEndpointSecretRepository(
                    client: database, keys: keyRing, logger: Logger(label: "bifrost.endpoints")),
                lookups: CacheLookups(.endpointSecrets, factory: factory)
            )
            self.workflowAccess = WorkflowAccessCache(
                store: PostgresWorkflowAccessRepository(client: database, logger: Logger(label: "bifrost.workflows")),
                lookups: CacheLookups(.workflowAccess, factory: factory))
            self.oauth = OAuthBroker.onDatabase(
                database, keys: keyRing,
                catalogue: oauthProviders ?? (try? OAuthProviderCatalogue.load())
                    ?? OAuthProviderCatalogue(providers: []),
                settings: oauthSettings, metrics: factory, logger: logger
            )
            self.credentials = credentials
            self.catalogue = catalogue
            self.instanceID = instanceID
            self.rateLimits = rateLimits
            self.database = database
            self.schema = schema
            self.metrics = metrics
            self.tokens = tokens
            self.signingKeys = SigningKeys(
                client: database, keyRing: keyRing, tokens: tokens, logger: Logger(label: "bifrost.auth"))
            self.policy = policy
        }
    }

    /// A Prometheus factory over `registry` with Bifrost's histogram buckets (`MetricName.durationBuckets`). Every
    /// factory of one registry must agree on a histogram's buckets, so all are made here.
    public static func metricsFactory(registry: PrometheusCollectorRegistry) -> any MetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = MetricName.durationBuckets
        return factory
    }

    /// The engine that runs workflows, shared by the routes and the job workers.
    public static func buildEngine(
        configuration: GatewayConfiguration, dependencies: Dependencies, logger: Logger
    ) -> ExecutionEngine {
        buildEngine(
            configuration: configuration, database: dependencies.database, catalogue: dependencies.catalogue,
            keyRing: dependencies.keyRing, oauth: dependencies.oauth, http: dependencies.outboundHTTP,
            instanceID: dependencies.instanceID, metrics: dependencies.metricsFactory, logger: logger
        )
    }

    /// The engine over the PostgreSQL repositories of `database`: what `buildEngine(configuration:dependencies:)`
    /// gives a gateway, and `bifrost workflows run` a run on the command line.
    /// - Parameters:
    ///   - http: what sends runs' `context.http` requests; nil: the service is unavailable to runs.
    ///   - metrics: where runs and the engine's caches are counted; the default, nowhere.
    public static func buildEngine(
        configuration: GatewayConfiguration, database: PostgresClient, catalogue: WorkflowCatalogue,
        keyRing: KeyRing, oauth: OAuthBroker, http: (any HTTPTransport)? = nil, instanceID: UUID,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) -> ExecutionEngine {
        let organizations = PostgresOrganizationRepository(client: database, logger: logger)
        return ExecutionEngine(
            catalogue: catalogue,
            executions: PostgresExecutionRepository(client: database, logger: logger),
            queue: PostgresJobQueue(client: database, instance: instanceID, logger: logger),
            organizationNames: OrganizationNames { try await organizations.find($0)?.name },
            instanceID: instanceID,
            secrets: PostgresSecretRepository(client: database, keys: keyRing, logger: logger),
            config: PostgresConfigRepository(client: database, keys: keyRing, logger: logger),
            files: PostgresFileRepository(
                client: database,
                limits: .init(
                    maximumFileSize: configuration.files.maxFileSize,
                    maximumScopeSize: configuration.files.maxOrganizationSize
                ),
                logger: logger
            ),
            oauth: oauth,
            http: http,
            limits: .init(
                concurrentRuns: configuration.workflows.maxConcurrentRuns,
                concurrentRunsPerOrganization: configuration.workflows.maxConcurrentRunsPerOrganization,
                maximumResultSize: configuration.workflows.maxResultSize
            ),
            metrics: metrics,
            logger: logger
        )
    }

    /// The HTTP router (every generated operation) and the router of WebSocket upgrades (`/api/ws` only), both
    /// behind the same client address, request id, problem, authentication and per-address rate-limit middleware;
    /// every route is admitted through one `AccessGate` (policy, then the caller's rate limits).
    static func buildRouters(
        configuration: GatewayConfiguration, dependencies: Dependencies, engine: ExecutionEngine? = nil, logger: Logger
    ) throws -> (http: Router<GatewayRequestContext>, webSocket: Router<GatewayRequestContext>) {
        let identity = IdentityServices(
            client: dependencies.database, tokens: dependencies.tokens, credentials: dependencies.credentials,
            configuration: configuration, loginThrottle: dependencies.loginThrottle, logger: logger
        )
        let engine = engine ?? buildEngine(configuration: configuration, dependencies: dependencies, logger: logger)
        let executions = PostgresExecutionRepository(client: dependencies.database, logger: logger)
        let gate = AccessGate(
            policy: dependencies.policy, limits: dependencies.rateLimits, limiter: TokenBucketLimiter())
        let streams = StreamSlots(
            maximum: configuration.http.maxStreams, maximumPerPrincipal: configuration.http.maxStreamsPerPrincipal
        )
        func router(_ routes: RouteTable) -> Router<GatewayRequestContext> {
            let router = Router(context: GatewayRequestContext.self)
            router.add(middleware: CORSMiddleware(allowedOrigins: Set(configuration.http.corsOrigins)))
            router.add(middleware: ClientAddressMiddleware(proxies: configuration.http.trustedProxies))
            router.add(middleware: RequestIDMiddleware())
            // Outside the tracing and metrics middleware and inside the request id, so that it sees the final
            // status and the trace id; inner middleware fill `context.observation`.
            if configuration.accessLog != .off {
                router.add(
                    middleware: AccessLogMiddleware(mode: configuration.accessLog, logger: dependencies.accessLogger))
            }
            router.add(middleware: TracingMiddleware())
            router.add(middleware: RequestMetricsMiddleware(factory: dependencies.metricsFactory))
            router.add(middleware: ProblemMiddleware(routes: routes))
            router.add(middleware: BodyLimitMiddleware(limit: configuration.http.maxBodySize))
            router.add(
                middleware: AuthenticationMiddleware(
                    tokens: dependencies.tokens, oidc: identity.oidc, check: identity.credentialCheck,
                    scopes: ScopeResolver(organizations: identity.organizations), cache: identity.credentials,
                    cacheLookups: CacheLookups(.credentials, factory: dependencies.metricsFactory)
                )
            )
            router.add(middleware: AddressRateLimitMiddleware(gate: gate))
            return router
        }

        let routes = RouteTable()
        let http = router(routes)
        let api = APIService(
            database: DatabaseProbe(client: dependencies.database, schema: dependencies.schema, logger: logger),
            metrics: dependencies.metrics,
            identity: identity,
            workflows: WorkflowServices(
                engine: engine, schedules: PostgresScheduleRepository(client: dependencies.database, logger: logger),
                streams: streams, executions: executions, access: dependencies.workflowAccess
            ),
            secrets: PostgresSecretRepository(
                client: dependencies.database, keys: dependencies.keyRing, logger: logger),
            config: PostgresConfigRepository(client: dependencies.database, keys: dependencies.keyRing, logger: logger),
            keys: dependencies.keyRing,
            signingKeys: dependencies.signingKeys,
            files: PostgresFileRepository(client: dependencies.database, logger: logger),
            oauth: OAuthServices(
                connections: dependencies.oauth.connections,
                states: PostgresOAuthStateRepository(
                    client: dependencies.database, keys: dependencies.keyRing, logger: logger),
                broker: dependencies.oauth, redirectURL: configuration.oauthRedirectURL
            ),
            endpointSecrets: dependencies.endpointSecrets,
            logger: logger
        )
        let contract = ContractValidation(
            rules: try ContractRules.builtIn(), maximumBodySize: configuration.http.maxBodySize)
        try api.registerHandlers(
            on: RecordingTransport(
                router: http, routes: routes,
                // With a port of its own, `/metrics` is not on the API's surface: it answers 404 like any unknown path.
                omittedPaths: configuration.metrics.port == nil ? [] : ["/metrics"]),
            configuration: .init(dateTranscoder: RFC3339DateTranscoder()),
            middlewares: [PolicyEnforcement(gate: gate), contract, BrowserHeaders()]
        )

        ExecuteRoute(
            engine: engine, gate: gate, access: dependencies.workflowAccess, contract: contract,
            maximumBodySize: configuration.http.maxBodySize
        ).register(on: http, routes: routes)
        EndpointRoutes(
            engine: engine, gate: gate, access: dependencies.workflowAccess,
            webhooks: WebhookAuthenticator(
                secrets: dependencies.endpointSecrets, metrics: dependencies.metricsFactory
            ),
            idempotency: PostgresIdempotencyKeyRepository(client: dependencies.database, logger: logger),
            maximumBodySize: configuration.http.maxBodySize
        ).register(on: http)

        let sessions = PasswordSessions(identity: identity)
        let cookies = ConsoleCookies(secure: URL(string: configuration.oauthRedirectURL)?.scheme == "https")
        ConsoleRoutes(sessions: sessions, cookies: cookies, maximumBodySize: configuration.http.maxBodySize)
            .register(on: http)
        ConsoleSignInRoutes(
            signIn: ConsoleSignIn(
                configuration: configuration, identity: identity, sessions: sessions,
                publicAddress: configuration.oauthRedirectURL,
                endpoint: TokenEndpoint(
                    policy: dependencies.oauth.settings.urlPolicy, timeout: dependencies.oauth.settings.requestTimeout,
                    logger: logger),
                logger: logger
            ),
            cookies: cookies
        ).register(on: http)

        let webSocket = router(RouteTable())
        ExecutionSocket(
            engine: engine, executions: executions, gate: gate, streams: streams, credentials: identity.credentialCheck,
            logger: logger
        )
        .register(on: webSocket)
        return (http, webSocket)
    }
}
