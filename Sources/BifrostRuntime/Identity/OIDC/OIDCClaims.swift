package import Foundation
package import JWTKit

/// The claims the gateway reads from a Microsoft Entra ID (or other OpenID Connect) token.
///
/// Signature, expiry and not-before are checked by JWTKit through `verify(using:)`, with a minute's leeway for
/// clock skew; issuer and audience are checked by `OIDCIssuerVerifier`, which knows what to expect.
package struct OIDCClaims: JWTPayload {
    package var issuer: IssuerClaim
    package var audience: AudienceClaim
    package var expiration: ExpirationClaim
    package var notBefore: NotBeforeClaim?
    /// Entra tenant id.
    package var tenantID: String?
    /// Entra object id: stable for the account within its tenant.
    package var objectID: String?
    package var email: String?
    package var preferredUsername: String?
    package var name: String?
    /// The value the sign-in request asked the issuer to repeat in its ID token (the console's sign-in checks it).
    package var nonce: String?

    package enum CodingKeys: String, CodingKey {
        case issuer = "iss", audience = "aud", expiration = "exp", notBefore = "nbf", tenantID = "tid"
        case objectID = "oid", email, preferredUsername = "preferred_username", name, nonce
    }

    /// Tolerated clock difference between the issuer and this gateway.
    package static let clockSkew: TimeInterval = 60

    package func verify(using algorithm: some JWTAlgorithm) throws {
        try expiration.verifyNotExpired(currentDate: Date().addingTimeInterval(-Self.clockSkew))
        try notBefore?.verifyNotBefore(currentDate: Date().addingTimeInterval(Self.clockSkew))
    }

    /// The address that names the user: `email`, else `preferred_username` when it looks like an address.
    package var userEmail: String? {
        if let email, email.contains("@") { return email.lowercased() }
        if let preferredUsername, preferredUsername.contains("@") { return preferredUsername.lowercased() }
        return nil
    }
}
