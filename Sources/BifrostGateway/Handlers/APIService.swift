import BifrostAPI
import BifrostRuntime
import BifrostStore
import Logging
import Prometheus

/// Implements the admin API generated from `openapi.yaml`; one extension per concern (`APIService+Health`).
///
/// A class, not a struct: the generated server keeps its handler by value and copies it several times per
/// request, and copying twelve stored services (each retained in turn) cost every admin request about 9,000
/// instructions, where a class costs one retain.
final class APIService: APIProtocol, Sendable {
    let database: DatabaseProbe
    let metrics: PrometheusCollectorRegistry
    let identity: IdentityServices
    let workflows: WorkflowServices
    let secrets: PostgresSecretRepository
    let config: PostgresConfigRepository
    let keys: KeyRing
    let signingKeys: SigningKeys
    let files: PostgresFileRepository
    let oauth: OAuthServices
    let endpointSecrets: EndpointSecretCache
    let logger: Logger

    init(
        database: DatabaseProbe,
        metrics: PrometheusCollectorRegistry,
        identity: IdentityServices,
        workflows: WorkflowServices,
        secrets: PostgresSecretRepository,
        config: PostgresConfigRepository,
        keys: KeyRing,
        signingKeys: SigningKeys,
        files: PostgresFileRepository,
        oauth: OAuthServices,
        endpointSecrets: EndpointSecretCache,
        logger: Logger
    ) {
        self.database = database
        self.metrics = metrics
        self.identity = identity
        self.workflows = workflows
        self.secrets = secrets
        self.config = config
        self.keys = keys
        self.signingKeys = signingKeys
        self.files = files
        self.oauth = oauth
        self.endpointSecrets = endpointSecrets
        self.logger = logger
    }
}
