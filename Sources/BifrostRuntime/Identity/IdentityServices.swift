import AsyncHTTPClient
import BifrostCrypto
package import BifrostStore
import Foundation
package import Logging
package import PostgresNIO

/// Everything the authentication handlers and middleware use, built once per application.
package struct IdentityServices: Sendable {
    package let users: any UserRepository
    package let keys: any APIKeyRepository
    package let refreshTokens: any RefreshTokenRepository
    package let organizations: PostgresOrganizationRepository
    package let audit: any AuditLog
    package let tokens: AccessTokens
    package let passwords: PasswordHashing
    /// A hash of nothing anyone knows, verified when an email is unknown so that failures take equal time.
    package let decoyPasswordHash: String
    package let refreshLifetime: Duration
    package let loginThrottle: LoginThrottle
    /// Verified credentials of the last few seconds; cleared on every change to users, organisations, keys or
    /// login sessions.
    package let credentials: CredentialCache
    /// Whether a credential still stands, for authentication and for streams that outlive their request.
    package let credentialCheck: CredentialCheck
    private let client: PostgresClient
    private let logger: Logger
    /// Configured Microsoft Entra ID (OpenID Connect) issuers.
    package let oidc: OIDCAuthenticator

    package init(
        client: PostgresClient, tokens: AccessTokens, credentials: CredentialCache, configuration: GatewayConfiguration,
        loginThrottle: LoginThrottle = LoginThrottle(), logger: Logger
    ) {
        self.loginThrottle = loginThrottle
        self.client = client
        self.logger = logger
        self.credentials = credentials
        users = PostgresUserRepository(client: client, logger: logger)
        keys = PostgresAPIKeyRepository(client: client, logger: logger)
        refreshTokens = PostgresRefreshTokenRepository(client: client, logger: logger)
        organizations = PostgresOrganizationRepository(client: client, logger: logger)
        audit = PostgresAuditLog(client: client, logger: logger)
        credentialCheck = CredentialCheck(
            users: users, keys: keys, refreshTokens: refreshTokens, organizations: organizations, cache: credentials
        )
        self.tokens = tokens
        passwords = PasswordHashing(iterations: configuration.auth.passwordIterations)
        decoyPasswordHash = passwords.hasher.hash(Base64.urlSafe(SecureRandom.bytes(24)))
        refreshLifetime = configuration.auth.refreshTokenLifetime
        let fetcher = JWKSFetcher(http: HTTPClient.shared, timeout: .init(configuration.oidc.keyFetchTimeout))
        oidc = OIDCAuthenticator(
            verifiers: configuration.oidc.issuers.map { issuer in
                var keyLogger = logger
                keyLogger[metadataKey: "bifrost.oidc.issuer"] = .string(issuer.name)
                return OIDCIssuerVerifier(
                    settings: issuer,
                    keySet: OIDCKeySet(refetchInterval: configuration.oidc.keyRefetchInterval, logger: keyLogger) {
                        try await fetcher.keySet(issuer: issuer.issuer, jwksURI: issuer.jwksURI)
                    }
                )
            },
            users: users, organizations: organizations, audit: audit
        )
    }

    /// `principal`'s credential, to be re-checked for as long as a stream or socket it opened lasts.
    package func watch(_ principal: Principal) -> WatchedCredential {
        WatchedCredential(principal: principal, check: credentialCheck)
    }

    /// Clears the credential cache here and on every other replica (after a user, organisation, key or login
    /// session changed), which also makes every stream re-check its caller's credential.
    package func credentialsChanged() async {
        await CredentialInvalidation.announce(clearing: credentials, client: client, logger: logger)
    }
}
