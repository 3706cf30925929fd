import Foundation
import JWTKit

/// The claims the gateway reads from a Microsoft Entra ID (or other OpenID Connect) token.
///
/// Signature, expiry and not-before are checked by JWTKit through `verify(using:)`, with a minute's leeway for
/// clock skew; issuer and audience are checked by `OIDCIssuerVerifier`, which knows what to expect.
struct OIDCClaims: JWTPayload {
    var issuer: IssuerClaim
    var audience: AudienceClaim
    var expiration: ExpirationClaim
    var notBefore: NotBeforeClaim?
    /// Entra tenant id.
    var tenantID: String?
    /// Entra object id: stable for the account within its tenant.
    var objectID: String?
    var email: String?
    var preferredUsername: String?
    var name: String?

    enum CodingKeys: String, CodingKey {
        case issuer = "iss", audience = "aud", expiration = "exp", notBefore = "nbf", tenantID = "tid"
        case objectID = "oid", email, preferredUsername = "preferred_username", name
    }

    /// Tolerated clock difference between the issuer and this gateway.
    static let clockSkew: TimeInterval = 60

    func verify(using algorithm: some JWTAlgorithm) throws {
        try expiration.verifyNotExpired(currentDate: Date().addingTimeInterval(-Self.clockSkew))
        try notBefore?.verifyNotBefore(currentDate: Date().addingTimeInterval(Self.clockSkew))
    }

    /// The address that names the user: `email`, else `preferred_username` when it looks like an address.
    var userEmail: String? {
        if let email, email.contains("@") { return email.lowercased() }
        if let preferredUsername, preferredUsername.contains("@") { return preferredUsername.lowercased() }
        return nil
    }
}
