import BifrostRuntime
import BifrostStore
import BifrostTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import Logging
import Synchronization
import Tracing

/// Establishes who is calling and in which scope, for every request that carries credentials.
///
/// Accepts `Authorization: Bearer <gateway JWT>`, `Authorization: Bearer <Entra ID token>` from a configured
/// issuer (see `OIDCAuthenticator`), and API keys as `X-Bifrost-Key: bfk_…` or
/// `Authorization: Bearer bfk_…`, and the console's session cookie (`ConsoleCookies`, with its CSRF echo on
/// requests that change something). The user or key must be live, its organisation active, and a gateway token's
/// login session not ended (`CredentialCheck`). Requests without credentials pass through anonymous: the policy
/// decides whether their operation is public. Any credential that is present but not valid is refused with 401
/// at once.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let tokens: AccessTokens
    let oidc: OIDCAuthenticator
    let check: CredentialCheck
    let scopes: ScopeResolver
    let cache: CredentialCache
    /// Counts the cache's hits and misses (`cache="credentials"`).
    var cacheLookups = CacheLookups(.credentials)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let presented: String
        if let key = request.headers[.bifrostKey] {
            presented = Self.trimmed(Substring(key))
        } else if let authorization = request.headers[.authorization] {
            guard let token = Self.bearerToken(authorization) else {
                throw Problem.unauthorized(
                    "The Authorization header must carry a bearer token.", error: "invalid_request")
            }
            presented = token
        } else if let session = try Self.consoleSession(request) {
            presented = session
        } else {
            return try await next(request, context)
        }
        let (principal, scope) = try await Traced.span("authenticate") { span -> (Principal, Scope) in
            let found = try await self.principal(for: presented, context: context)
            let scope = try await scopes.resolve(found, header: request.headers[.organizationID])
            span?.attributes[SpanAttribute.principalKind] = found.kind
            if let organization = scope.organizationID {
                span?.attributes[SpanAttribute.organizationID] = organization.lowercasedText
            }
            return (found, scope)
        }
        var context = context
        let principalID = principal.id.lowercasedText
        let organizationID = scope.organizationID?.lowercasedText
        context.logger[metadataKey: "bifrost.principal.id"] = .string(principalID)
        if let organizationID { context.logger[metadataKey: "bifrost.org.id"] = .string(organizationID) }
        let identity = RequestIdentity(principal: principal, scope: scope)
        context.identity = identity
        context.observation.update {
            $0.principalKind = principal.kind
            $0.principalID = principalID
            $0.organizationID = organizationID
        }
        return try await RequestIdentity.$current.withValue(identity) {
            try await next(request, context)
        }
    }

    /// The console's session cookie, for a request with no credential header outside the console's own routes
    /// (which read their cookies themselves). A request that may change something must echo the CSRF cookie in
    /// `X-CSRF-Token`: a page of another site can make the browser send the cookie, but cannot read it.
    /// - Throws: `Problem` 403 when the echo is missing or wrong.
    static func consoleSession(_ request: Request) throws -> String? {
        guard !request.uri.path.hasPrefix("/console") else { return nil }
        let cookies = request.headers[values: .cookie].joined(separator: "; ")
        guard let session = ConsoleCookies.value(ConsoleCookies.session, in: cookies) else { return nil }
        if ![.get, .head, .options].contains(request.method),
            !ConsoleCookies.isCSRFValid(
                header: HTTPField.Name(ConsoleCookies.csrfHeader).flatMap { request.headers[$0] }, cookies: cookies)
        {
            throw Problem.forbidden("A request signed in by the console's cookie must carry its X-CSRF-Token.")
        }
        return session
    }

    /// The credential of `Bearer <credential>` (the scheme in any case), or nil for another scheme.
    static func bearerToken(_ value: String) -> String? {
        let scheme = "bearer ".utf8
        guard value.utf8.count > scheme.count,
            value.utf8.prefix(scheme.count).elementsEqual(scheme, by: { ($0 | 0x20) == $1 })
        else { return nil }
        let token = trimmed(Substring(value).dropFirst(scheme.count))
        return token.isEmpty ? nil : token
    }

    /// `text` without leading and trailing spaces and tabs; cheaper than Foundation's trimming on long tokens.
    static func trimmed(_ text: Substring) -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !blank($0) }), let last = text.lastIndex(where: { !blank($0) })
        else {
            return ""
        }
        return String(text[first...last])
    }

    /// The principal behind a credential, from the cache when it was verified moments ago.
    private func principal(for presented: String, context: Context) async throws -> Principal {
        let digest = CredentialCache.digest(of: presented)
        if let cached = cache.principal(for: digest) {
            cacheLookups.record(hit: true)
            return cached
        }
        cacheLookups.record(hit: false)
        do {
            if presented.hasPrefix(APIKeySecret.prefix) {
                let principal = try await authenticate(key: presented)
                cache.store(
                    principal, for: digest, expiry: principal.apiKey?.expiresAt.map(CredentialCache.remaining(until:)))
                return principal
            }
            let (principal, expiresAt) = try await authenticate(token: presented, context: context)
            cache.store(principal, for: digest, expiry: CredentialCache.remaining(until: expiresAt))
            return principal
        } catch let refusal as CredentialCheck.Refusal {
            throw Problem.unauthorized(refusal.detail, error: "invalid_token")
        }
    }

    /// Routes a token to the gateway's own verifier or to the OIDC issuer it names.
    private func authenticate(token: String, context: Context) async throws -> (Principal, Date) {
        guard let unverified = UnverifiedJWT(token) else {
            throw Problem.unauthorized("The access token is not valid.", error: "invalid_token")
        }
        if unverified.issuer == AccessTokenClaims.issuerName { return try await authenticate(gatewayToken: token) }
        guard let verifier = oidc.verifier(for: unverified) else {
            throw Problem.unauthorized("The access token is not from a trusted issuer.", error: "invalid_token")
        }
        let claims: OIDCClaims
        do {
            claims = try await verifier.verify(token, header: unverified)
        } catch let rejection as OIDCTokenRejection {
            throw Problem.unauthorized(rejection.detail, error: "invalid_token")
        } catch {
            // The issuer's key set could not be fetched: our problem, not the caller's.
            throw Problem.serviceUnavailable("The token's issuer could not be reached to check its signing keys.")
        }
        let user = try await oidc.user(
            for: claims, from: verifier, requestID: context.id, clientAddress: context.clientAddress)
        try await check.require(user, session: nil)
        return (Principal(user: user), claims.expiration.value)
    }

    private func authenticate(gatewayToken token: String) async throws -> (Principal, Date) {
        let claims: AccessTokenClaims
        do {
            claims = try await tokens.verify(token)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw Problem.unauthorized(
                "The access token has expired or is not meant for this gateway.", error: "invalid_token")
        } catch {
            throw Problem.unauthorized("The access token is not valid.", error: "invalid_token")
        }
        guard let id = UUID(uuidString: claims.subject.value), let user = try await check.users.find(id: id) else {
            throw CredentialCheck.Refusal.inactiveUser
        }
        // Every gateway token names its login session; one that names none (or garbage) belongs to none.
        guard let session = UUID(uuidString: claims.session) else { throw CredentialCheck.Refusal.endedSession }
        try await check.require(user, session: session)
        return (Principal(user: user, session: session), claims.expiration.value)
    }

    private func authenticate(key: String) async throws -> Principal {
        guard let found = try await check.keys.authenticate(keyHash: APIKeySecret.hash(key)) else {
            throw CredentialCheck.Refusal.revokedKey
        }
        try await check.requireActive(organization: found.organizationID)
        return Principal(apiKey: found)
    }
}

extension HTTPField.Name {
    /// `X-Organization-Id`: the organisation a platform admin acts in.
    static let organizationID = HTTPField.Name("X-Organization-Id")!
    /// `X-Bifrost-Key`: an API key.
    static let bifrostKey = HTTPField.Name("X-Bifrost-Key")!
}
