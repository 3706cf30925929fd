/// Everything a workflow declares about itself besides its parameters: the `@workflow` decorator's options.
public struct WorkflowConfiguration: Sendable, Hashable {
    /// Unique identifier in snake_case.
    public var name: String
    /// Shown to people choosing a workflow.
    public var description: String
    /// Grouping in listings.
    public var category: String
    /// Free-form labels, listed with the workflow.
    public var tags: [String]
    /// How runs are started: in the request, queued, or by the schedule.
    public var executionMode: ExecutionMode
    /// How long a run may take before it finishes as `Timeout`.
    public var timeout: Duration
    /// Five-field cron expression (UTC) for scheduled runs.
    public var schedule: String?
    /// Whether a run needs an organisation (refused in global scope).
    public var requiresOrganization: Bool
    /// Whether the workflow is offered for manual runs (forms).
    public var exposeInForms: Bool
    /// HTTP methods of the workflow's endpoint, when it is exposed as one (`/api/endpoints/{name}`).
    public var endpointMethods: Set<HTTPMethod>?
    /// How often a queued run is started again when the process running it dies (0…10). Declare retries only
    /// for idempotent work: a retried run may have done part of its work already.
    public var retries: Int
    /// Whether only administrators (platform admins, and organisation admins in their organisation) may run it
    /// or see it: for workflows that read secrets or change configuration on the caller's behalf.
    public var requiresAdmin: Bool
    /// Workflow roles (technician groups such as `helpdesk` or `provisioning`) whose holders may run it; empty:
    /// anyone the policy role allows. Administrators may always run it, and an organisation's admins may narrow
    /// the set further for their organisation. Names follow `WorkflowRole.isValid`.
    public var roles: Set<String>

    /// The `@workflow` decorator's options; only the name and description are required.
    ///
    /// - Parameters:
    ///   - name: unique identifier in snake_case.
    ///   - description: shown to people choosing a workflow.
    ///   - category: grouping in listings and forms.
    ///   - tags: labels to filter by.
    ///   - mode: `.sync` (in the request), `.async` (queued); a `schedule` makes a synchronous workflow scheduled.
    ///   - timeout: how long a run may take before it finishes as `Timeout`.
    ///   - schedule: a five-field cron expression (UTC) on which the workflow runs.
    ///   - requiresOrganization: whether a run needs an organisation (refused in global scope).
    ///   - exposeInForms: whether the workflow is offered in forms.
    ///   - endpoint: methods the workflow answers at `/api/endpoints/{name}`; nil keeps it off the endpoint list.
    ///   - retries: restarts of a queued run whose process died (idempotent work only).
    ///   - requiresAdmin: hides the workflow from organisation members and their keys.
    ///   - roles: limits members and their keys to holders of one of these workflow roles; empty: no limit.
    public init(
        _ name: String, description: String, category: String = "General", tags: [String] = [],
        mode: ExecutionMode = .sync, timeout: Duration = .seconds(300), schedule: String? = nil,
        requiresOrganization: Bool = true, exposeInForms: Bool = true, endpoint: Set<HTTPMethod>? = nil,
        retries: Int = 0, requiresAdmin: Bool = false, roles: Set<String> = []
    ) {
        self.name = name
        self.description = description
        self.category = category
        self.tags = tags
        self.executionMode = schedule != nil && mode == .sync ? .scheduled : mode
        self.timeout = timeout
        self.schedule = schedule
        self.requiresOrganization = requiresOrganization
        self.exposeInForms = exposeInForms
        self.endpointMethods = endpoint
        self.retries = retries
        self.requiresAdmin = requiresAdmin
        self.roles = roles
    }

    /// Whether the workflow is exposed as an HTTP endpoint.
    public var isEndpointEnabled: Bool { endpointMethods != nil }

    /// How a run is started.
    public enum ExecutionMode: String, Sendable, Hashable, CaseIterable {
        /// In the request that asks for it.
        case sync
        /// Queued and run in the background.
        case async
        /// Fired by its cron schedule.
        case scheduled
    }

    /// The methods an endpoint may allow.
    public enum HTTPMethod: String, Sendable, Hashable, CaseIterable, Comparable {
        /// Each method, with its name as the raw value.
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"

        /// Orders methods by name, as listings show them.
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }
}

extension Set where Element == WorkflowConfiguration.HTTPMethod {
    /// The default endpoint: POST only.
    public static var post: Self { [.post] }
}
