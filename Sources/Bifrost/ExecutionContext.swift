public import Foundation
public import Logging

/// What a running workflow knows about its run: who asked, for which organisation, and the SDK services.
///
/// The seed's `context.org_id`, `context.email`, … are `orgID`, `email`, …; `logger` records into the run's
/// log (debug lines are kept but shown only to platform admins).
public struct ExecutionContext: Sendable {
    /// The organisation the run acts for; nil in global scope.
    public var orgID: UUID?
    /// The organisation's name; nil in global scope.
    public var orgName: String?
    /// The user who started the run; nil for API keys, schedules and webhooks.
    public var userID: UUID?
    /// The email address of the user who started the run; nil when no user did.
    public var email: String?
    /// A name for whoever started the run (a user's or an API key's name, `webhook`, …); nil for schedules.
    public var name: String?
    /// The run's id, as the API and the execution record show it.
    public var executionID: UUID
    /// Whether whoever started the run is a platform administrator.
    public var isPlatformAdmin: Bool
    /// Whether the run acts in global scope (no organisation).
    public var isGlobalScope: Bool { orgID == nil }
    /// Lines logged here become the run's log.
    public var logger: Logger
    /// Configuration values: the organisation's, else the global one.
    public var config: any ConfigStore
    /// Encrypted secrets: the organisation's, else the global one.
    public var secrets: any SecretStore
    /// OAuth access tokens of the organisation's (else global) connections.
    public var oauth: any OAuthTokens
    /// Files of the organisation.
    public var files: any FileStore
    /// HTTP requests to other services, with OAuth tokens, retries and timeouts handled by the gateway.
    public var http: any WorkflowHTTP

    /// A context; a service left out is an `UnavailableService`, whose every call fails.
    public init(
        orgID: UUID?, orgName: String?, userID: UUID?, email: String?, name: String?, executionID: UUID,
        isPlatformAdmin: Bool, logger: Logger, config: any ConfigStore = UnavailableService("config"),
        secrets: any SecretStore = UnavailableService("secrets"), oauth: any OAuthTokens = UnavailableService("oauth"),
        files: any FileStore = UnavailableService("files"), http: any WorkflowHTTP = UnavailableService("http")
    ) {
        self.orgID = orgID
        self.orgName = orgName
        self.userID = userID
        self.email = email
        self.name = name
        self.executionID = executionID
        self.isPlatformAdmin = isPlatformAdmin
        self.logger = logger
        self.config = config
        self.secrets = secrets
        self.oauth = oauth
        self.files = files
        self.http = http
    }
}
