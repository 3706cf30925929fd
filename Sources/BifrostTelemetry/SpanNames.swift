/// The attribute keys Bifrost's spans carry, in one place so that every module names a thing the same way.
///
/// OpenTelemetry's semantic conventions where one exists (`http.*`, `db.*`, `server.address`); `bifrost.*`
/// for the rest. No key ever carries a credential, a secret, a query string, a parameter value or a token.
public enum SpanAttribute {
    public static let httpMethod = "http.request.method"
    public static let httpRoute = "http.route"
    public static let httpStatus = "http.response.status_code"
    public static let serverAddress = "server.address"
    public static let serverPort = "server.port"
    public static let requestID = "bifrost.request.id"
    public static let principalKind = "bifrost.principal.kind"
    public static let organizationID = "bifrost.organization.id"
    public static let workflowName = "bifrost.workflow.name"
    public static let executionID = "bifrost.execution.id"
    public static let executionMode = "bifrost.execution.mode"
    public static let executionStatus = "bifrost.execution.status"
    public static let dbSystem = "db.system.name"
    public static let dbOperation = "db.operation.name"
    public static let dbTable = "db.collection.name"
    public static let oauthProvider = "bifrost.oauth.provider"
    public static let oauthOutcome = "bifrost.oauth.outcome"
    public static let oauthConnection = "bifrost.oauth.connection"
}
