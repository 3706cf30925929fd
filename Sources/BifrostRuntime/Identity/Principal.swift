public import BifrostStore
public import Foundation

/// Who is calling, as established by authentication: a user or an API key.
public struct Principal: Sendable, Hashable {
    /// The credential behind the call.
    public enum Credential: Sendable, Hashable {
        case user(User)
        case apiKey(APIKey)
    }

    public var credential: Credential
    /// The login session (refresh-token family) of a gateway access token: logging out or changing the password
    /// ends it, and every access token of it with it. Nil for Entra ID tokens and API keys.
    public var session: UUID?

    /// A user, signed in with a gateway access token of `session`, or with an Entra ID token (no session).
    public init(user: User, session: UUID? = nil) {
        credential = .user(user)
        self.session = session
    }

    /// An API client.
    public init(apiKey: APIKey) { credential = .apiKey(apiKey) }

    /// The user, when a person is calling.
    public var user: User? {
        if case .user(let user) = credential { return user }
        return nil
    }

    /// The key, when an API client is calling.
    public var apiKey: APIKey? {
        if case .apiKey(let key) = credential { return key }
        return nil
    }

    /// The user's or the key's id.
    public var id: UUID {
        switch credential {
        case .user(let user): user.id
        case .apiKey(let key): key.id
        }
    }

    /// `user` or `api_key`, as in audit entries.
    public var kind: String { user == nil ? "api_key" : "user" }

    /// A human-readable name for logs and audit entries: an email or a key's name and prefix; never a secret.
    public var label: String {
        switch credential {
        case .user(let user): user.email
        case .apiKey(let key): "\(key.name) (\(key.prefix)…)"
        }
    }

    public var roleValue: User.Role {
        switch credential {
        case .user(let user): user.role
        case .apiKey(let key): key.role
        }
    }

    /// The policy role of the caller.
    public var role: String { roleValue.rawValue }
    public var isPlatformAdmin: Bool { roleValue == .platformAdmin }

    /// The workflow roles the user or key holds, for role-limited workflows (not the policy role).
    public var workflowRoles: Set<String> {
        switch credential {
        case .user(let user): user.workflowRoles
        case .apiKey(let key): key.workflowRoles
        }
    }

    /// The caller's own organisation; nil for platform admins and global keys.
    public var organizationID: UUID? {
        switch credential {
        case .user(let user): user.organizationID
        case .apiKey(let key): key.organizationID
        }
    }
}

/// The caller and the scope its request acts in; set by `AuthenticationMiddleware` for the rest of the request.
public struct RequestIdentity: Sendable, Hashable {
    public var principal: Principal
    public var scope: Scope

    public init(principal: Principal, scope: Scope) {
        self.principal = principal
        self.scope = scope
    }

    /// The identity of the request being handled; generated OpenAPI handlers cannot see the router context,
    /// so it travels in a task local.
    @TaskLocal public static var current: RequestIdentity?
}
