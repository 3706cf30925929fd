/// How a run was started: the `mode` label of `bifrost_workflow_runs_started_total`.
public enum RunMode: String, Sendable, CaseIterable {
    /// In the caller's request (a synchronous workflow, through execute or an endpoint).
    case sync
    /// By a worker, queued by a caller (an asynchronous workflow, or `mode: async`).
    case async
    /// By a worker, queued by a schedule slot.
    case scheduled
    /// In the command's own process (`bifrost workflows run`).
    case local
}

/// What a call to a provider's token endpoint came to: the `outcome` label of `bifrost_oauth_token_requests_total`.
public enum TokenRequestOutcome: String, Sendable, CaseIterable {
    /// The provider issued a token.
    case issued
    /// The provider refused the grant or the client (`invalid_grant`, `invalid_client`, `unauthorized_client`):
    /// only an admin (or a customer's consent) helps.
    case refused
    /// The provider answered with another OAuth error.
    case rejected
    /// No usable answer (a 5xx, a timeout, a network error); retried.
    case unavailable
    /// The token URL points to an address the policy does not allow: nothing was sent.
    case blocked
}

/// The caches whose lookups are counted: the `cache` label of `bifrost_cache_lookups_total`.
public enum CacheName: String, Sendable, CaseIterable {
    /// Verified credentials (`CredentialCache`).
    case credentials
    /// Configuration values runs read (`ScopedCache`).
    case config
    /// Sealed secrets runs read (`ScopedCache`).
    case secrets
    /// Endpoints' signing secrets (`EndpointSecretCache`).
    case endpointSecrets = "endpoint_secrets"
    /// Organisations' workflow narrowings (`WorkflowAccessCache`).
    case workflowAccess = "workflow_access"
    /// OAuth access tokens in the broker's memory.
    case oauthTokens = "oauth_tokens"
}
