import Foundation
public import JWTKit

/// The claims of a gateway access token: whose it is, which login it belongs to, and when it expires.
///
/// Role and organisation are deliberately not in the token: they are read from the user's current record,
/// so a demotion or deactivation takes effect at once rather than when the token expires.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var subject: SubjectClaim
    public var issuer: IssuerClaim
    public var audience: AudienceClaim
    public var issuedAt: IssuedAtClaim
    public var expiration: ExpirationClaim
    /// The refresh-token family (login session) this token was issued for.
    public var session: String

    package enum CodingKeys: String, CodingKey {
        case subject = "sub", issuer = "iss", audience = "aud", issuedAt = "iat", expiration = "exp", session = "sid"
    }

    /// Issuer and audience of every gateway token.
    public static let issuerName = "bifrost"
    public static let audienceName = "bifrost-api"

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try expiration.verifyNotExpired()
        guard issuer.value == Self.issuerName else {
            throw JWTError.claimVerificationFailure(failedClaim: issuer, reason: "issuer")
        }
        try audience.verifyIntendedAudience(includes: Self.audienceName)
    }
}
