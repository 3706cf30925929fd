import BifrostCrypto
import Foundation

/// What a JWT says about itself before any signature is checked: enough to pick the verifier, nothing to trust.
package struct UnverifiedJWT: Sendable {
    /// `alg` from the header.
    package var algorithm: String
    /// `kid` from the header.
    package var keyID: String?
    /// `iss` from the payload.
    package var issuer: String?
    /// `tid` from the payload (Microsoft Entra's tenant id).
    package var tenantID: String?

    /// Nil when `token` is not three base64url parts with a JSON header and payload.
    package init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerData = Base64.decodeURLSafe(parts[0]).map { Data($0) },
            let payloadData = Base64.decodeURLSafe(parts[1]).map { Data($0) },
            let header = try? JSONDecoder().decode(Header.self, from: headerData),
            let payload = try? JSONDecoder().decode(Payload.self, from: payloadData)
        else { return nil }
        algorithm = header.alg
        keyID = header.kid
        issuer = payload.iss
        tenantID = payload.tid
    }

    private struct Header: Decodable {
        var alg: String
        var kid: String?
    }

    private struct Payload: Decodable {
        var iss: String?
        var tid: String?
    }
}
