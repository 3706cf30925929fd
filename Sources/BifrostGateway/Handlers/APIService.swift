import BifrostAPI
import BifrostRuntime
import BifrostStore
import Logging
import Prometheus

/// Implements the admin API generated from `openapi.yaml`; one extension per concern (`APIService+Health`).
struct APIService: APIProtocol {
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
}
