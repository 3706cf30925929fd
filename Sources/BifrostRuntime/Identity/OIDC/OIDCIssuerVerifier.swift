import Foundation
import JWTKit

/// Verifies bearer tokens of one configured OpenID Connect issuer: RS256 signature by a key the issuer publishes,
/// the configured issuer (with `{tenantid}` filled from `tid`) and audience, expiry and not-before.
package struct OIDCIssuerVerifier: Sendable {
    package let settings: GatewayConfiguration.OIDCIssuer
    package let keySet: OIDCKeySet

    /// The only signature algorithm accepted: what Entra ID signs with. `none` and HMAC never pass.
    package static let algorithm = "RS256"

    /// Whether a token claiming `issuer` (and tenant `tenantID`) is this verifier's to check.
    package func accepts(issuer: String?, tenantID: String?) -> Bool {
        guard let issuer else { return false }
        return issuer == expectedIssuer(tenantID: tenantID)
    }

    /// Whether the configured issuer stands for many tenants (`{tenantid}`) rather than one.
    package var isMultiTenant: Bool { settings.issuer.contains(Self.tenantPlaceholder) }

    /// The claims of a valid token.
    /// - Throws: `OIDCTokenRejection` saying why the token is refused.
    package func verify(_ token: String, header: UnverifiedJWT) async throws -> OIDCClaims {
        guard header.algorithm == Self.algorithm else { throw OIDCTokenRejection.algorithm(header.algorithm) }
        guard let keyID = header.keyID else { throw OIDCTokenRejection.unknownKey }
        guard let keys = try await keySet.keys(containing: keyID) else { throw OIDCTokenRejection.unknownKey }
        let claims: OIDCClaims
        do {
            claims = try await keys.verify(token, as: OIDCClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw OIDCTokenRejection.expired
        } catch {
            throw OIDCTokenRejection.signature
        }
        guard claims.issuer.value == expectedIssuer(tenantID: claims.tenantID) else { throw OIDCTokenRejection.issuer }
        guard claims.audience.value.contains(settings.audience) else { throw OIDCTokenRejection.audience }
        return claims
    }

    /// This verifier expecting `audience` instead: the console's sign-in checks ID tokens, whose `aud` is the
    /// client id it signed in as (`oidc.<name>.clientId`), with the same keys and issuer.
    package func expecting(audience: String) -> OIDCIssuerVerifier {
        var settings = settings
        settings.audience = audience
        return OIDCIssuerVerifier(settings: settings, keySet: keySet)
    }

    private static let tenantPlaceholder = "{tenantid}"

    private func expectedIssuer(tenantID: String?) -> String? {
        guard isMultiTenant else { return settings.issuer }
        guard let tenantID, UUID(uuidString: tenantID) != nil else { return nil }
        return settings.issuer.replacingOccurrences(of: Self.tenantPlaceholder, with: tenantID.lowercased())
    }
}

/// Why an OpenID Connect token was refused; each becomes a 401 that says no more than needed.
package enum OIDCTokenRejection: Error, Equatable {
    case algorithm(String)
    case unknownKey
    case signature
    case expired
    case issuer
    case audience

    package var detail: String {
        switch self {
        case .algorithm: "The token's signature algorithm is not accepted."
        case .unknownKey: "The token is signed with a key its issuer does not publish."
        case .signature: "The token's signature is not valid."
        case .expired: "The token has expired or is not valid yet."
        case .issuer: "The token's issuer is not the one configured."
        case .audience: "The token is not meant for this gateway."
        }
    }
}
