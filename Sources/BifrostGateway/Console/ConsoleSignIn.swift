import BifrostOAuth
import BifrostRuntime
import BifrostStore
import Foundation
import Logging

/// The console's "Sign in with Microsoft": the OpenID Connect authorization code flow with PKCE, through each
/// issuer configured with `oidc.<name>.signIn`, ending in the same console session as a password sign-in.
///
/// `begin` makes a `SignInAttempt` and the issuer's authorize address; `complete` checks the callback's `state`
/// against the attempt the browser brought back, redeems the code at the token URL (checked by the OAuth broker's
/// `ProviderURLPolicy`, bounded in time and size), verifies the ID token with the issuer's `OIDCIssuerVerifier`
/// (signature, issuer, expiry; the audience is the client id) and its `nonce`, maps it to a user with
/// `OIDCAuthenticator` (the rules of bearer tokens: linking by `oid`, provisioning, the operator's issuer), refuses
/// an inactive user or organisation, and starts a session through `PasswordSessions`. Refused accounts are audited
/// as failed logins.
struct ConsoleSignIn: Sendable {
    /// An issuer the console offers, with its verifier expecting its client id.
    struct Issuer: Sendable {
        let settings: GatewayConfiguration.OIDCSignIn
        let verifier: OIDCIssuerVerifier

        var name: String { verifier.settings.name }
    }

    /// Why a sign-in failed; `text` is what the console shows: short, and never a secret or a provider's words.
    enum Failure: Error, Equatable {
        case unknownIssuer
        case providerError(String)
        case notThisBrowser
        case redemption(TokenRequestFailure)
        case tokenRefused
        case issuerUnreachable
        case accountRefused(String)

        var text: String {
            switch self {
            case .unknownIssuer: "This sign-in is not offered."
            case .providerError(let code): "The identity provider did not sign you in (\(code))."
            case .notThisBrowser: "The sign-in expired or was started elsewhere; try again."
            case .redemption(let failure): "The sign-in could not be completed (\(failure))."
            case .tokenRefused: "The identity provider's answer was not accepted."
            case .issuerUnreachable: "The identity provider could not be reached; try again."
            case .accountRefused(let detail): detail
            }
        }
    }

    /// The issuers offering sign-in, in configuration order.
    let issuers: [Issuer]
    let identity: IdentityServices
    let sessions: PasswordSessions
    let tokenEndpoint: TokenEndpoint
    /// The gateway's public origin (`oauth.redirectUri`'s scheme, host and port), which callbacks are sent to.
    let publicOrigin: String
    let logger: Logger

    /// - Parameters:
    ///   - publicAddress: an address of the gateway as browsers reach it (`GatewayConfiguration.oauthRedirectURL`);
    ///     only its origin is used.
    ///   - endpoint: where codes are redeemed; the OAuth broker's URL policy and timeout.
    init(
        configuration: GatewayConfiguration, identity: IdentityServices, sessions: PasswordSessions,
        publicAddress: String, endpoint: TokenEndpoint, logger: Logger
    ) {
        issuers = configuration.oidc.issuers.compactMap { issuer in
            guard let settings = issuer.signIn,
                let verifier = identity.oidc.verifiers.first(where: { $0.settings.name == issuer.name })
            else { return nil }
            return Issuer(settings: settings, verifier: verifier.expecting(audience: settings.clientID))
        }
        self.identity = identity
        self.sessions = sessions
        self.tokenEndpoint = endpoint
        self.publicOrigin = Self.origin(of: publicAddress) ?? publicAddress
        self.logger = logger
    }

    /// The issuer `name`, if it offers sign-in.
    func issuer(named name: String) -> Issuer? { issuers.first { $0.name == name } }

    /// Where issuer `name` sends the browser back: `<public origin>/console/sign-in/<name>/callback`.
    func redirectURI(for name: String) -> String { publicOrigin + "/console/sign-in/\(name)/callback" }

    /// A new attempt through issuer `name` and the issuer's address to send the browser to.
    /// - Throws: `Failure.unknownIssuer` when `name` offers no sign-in.
    func begin(_ name: String) throws(Failure) -> (attempt: SignInAttempt, location: String) {
        guard let issuer = issuer(named: name), var components = URLComponents(string: issuer.settings.authorizeURL)
        else { throw .unknownIssuer }
        let attempt = SignInAttempt(issuer: name)
        let parameters: [(String, String)] = [
            ("response_type", "code"), ("client_id", issuer.settings.clientID),
            ("redirect_uri", redirectURI(for: name)), ("scope", "openid profile email"), ("state", attempt.state),
            ("nonce", attempt.nonce), ("code_challenge", attempt.codeChallenge), ("code_challenge_method", "S256"),
            ("response_mode", "query"),
        ]
        components.queryItems =
            (components.queryItems ?? []) + parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
        // `+` is a space to form decoders: encode it, as URLComponents leaves it.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let location = components.string else { throw .unknownIssuer }
        return (attempt, location)
    }

    /// The callback's answer to the attempt the browser brought back: a new session, or why not.
    /// - Parameters:
    ///   - name: the issuer named by the callback's path.
    ///   - code: the callback's `code`; `state` and `error` likewise (each already bounded in length by the route).
    ///   - attempt: the `bifrost_sign_in` cookie's attempt, if the browser brought a valid one.
    /// - Throws: `Failure`, and the store's errors.
    func complete(
        _ name: String, code: String?, state: String?, error: String?, attempt: SignInAttempt?
    ) async throws -> PasswordSessions.Issued {
        guard let issuer = issuer(named: name) else { throw Failure.unknownIssuer }
        guard let attempt, attempt.issuer == name, let state, attempt.matches(state: state) else {
            throw Failure.notThisBrowser
        }
        if let error { throw Failure.providerError(TokenRequestFailure.sanitizedErrorCode(error)) }
        guard let code else { throw Failure.providerError("no_code") }
        let idToken: String
        do {
            idToken = try await tokenEndpoint.identityToken(
                code: code, verifier: attempt.verifier, redirectURI: redirectURI(for: name),
                at: issuer.settings.tokenURL, clientID: issuer.settings.clientID,
                clientSecret: issuer.settings.clientSecret
            )
        } catch let failure as TokenRequestFailure {
            throw Failure.redemption(failure)
        }
        let claims = try await verify(idToken, by: issuer, nonceOf: attempt)
        let method = "oidc:" + name
        do {
            let user = try await identity.oidc.user(
                for: claims, from: issuer.verifier, requestID: RequestTrace.requestID,
                clientAddress: RequestTrace.clientAddress
            )
            do {
                try await identity.credentialCheck.require(user, session: nil)
            } catch is CredentialCheck.Refusal {
                throw AccessRefusal.forbidden("This account or its organisation is inactive.")
            }
            return try await sessions.signIn(verified: user, method: method)
        } catch let refusal as AccessRefusal {
            try await identity.audit.record(
                AuditEvent(
                    organizationID: nil, actorKind: "anonymous", actorID: nil, actorLabel: claims.userEmail ?? method,
                    action: "auth.login", targetKind: "login_method", targetID: method, outcome: "failure",
                    requestID: RequestTrace.requestID, clientAddress: RequestTrace.clientAddress
                )
            )
            throw Failure.accountRefused(refusal.detail)
        }
    }

    /// The claims of `idToken` once `issuer` has verified it and its nonce is the attempt's.
    private func verify(_ idToken: String, by issuer: Issuer, nonceOf attempt: SignInAttempt) async throws(Failure)
        -> OIDCClaims
    {
        guard let unverified = UnverifiedJWT(idToken),
            issuer.verifier.accepts(issuer: unverified.issuer, tenantID: unverified.tenantID)
        else { throw .tokenRefused }
        let claims: OIDCClaims
        do {
            claims = try await issuer.verifier.verify(idToken, header: unverified)
        } catch let rejection as OIDCTokenRejection {
            logger.notice(
                "A sign-in's ID token was refused",
                metadata: ["bifrost.oidc.issuer": "\(issuer.name)", "error.message": "\(rejection.detail)"])
            throw .tokenRefused
        } catch {
            throw .issuerUnreachable
        }
        guard attempt.matches(nonce: claims.nonce) else {
            logger.notice("A sign-in's ID token has another nonce", metadata: ["bifrost.oidc.issuer": "\(issuer.name)"])
            throw .tokenRefused
        }
        return claims
    }

    /// The scheme, host and port of `address` (`https://gateway.example:8443/api/oauth/callback` →
    /// `https://gateway.example:8443`); nil when it has no scheme.
    static func origin(of address: String) -> String? {
        guard let separator = address.range(of: "://") else { return nil }
        var authority = address[separator.upperBound...].prefix { !"/?#".contains($0) }
        if let user = authority.lastIndex(of: "@") { authority = authority[authority.index(after: user)...] }
        guard !authority.isEmpty else { return nil }
        return address[..<separator.upperBound].lowercased() + authority
    }
}
