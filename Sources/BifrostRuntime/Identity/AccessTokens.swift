import BifrostCrypto
import BifrostStore
public import Foundation
import JWTKit

/// Issues and verifies gateway access tokens: ES256 JWTs with a `kid`, 15 minutes by default.
///
/// Verification accepts only ES256 tokens signed by this gateway's key: `alg: none`, HMAC tokens (including
/// ones "signed" with the public key), unknown `kid`s, other issuers or audiences and expired tokens fail.
public struct AccessTokens: Sendable {
    private let keys: JWTKeyCollection
    private let keyID: JWKIdentifier
    /// How long an access token lives.
    public let lifetime: Duration

    /// - Parameter privateKeyPEM: an EC P-256 private key in PEM form.
    public init(privateKeyPEM: String, lifetime: Duration) async throws {
        let key = try ES256PrivateKey(pem: privateKeyPEM)
        let publicPEM = key.publicKey.pemRepresentation
        self.keyID = JWKIdentifier(string: String(SHA256Digest.hex(publicPEM).prefix(16)))
        self.keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: keyID)
        self.lifetime = lifetime
    }

    /// A signed token for `userID` in login session `session`.
    public func issue(userID: UUID, session: UUID, now: Date = Date()) async throws -> String {
        let claims = AccessTokenClaims(
            subject: .init(value: userID.uuidString.lowercased()),
            issuer: .init(value: AccessTokenClaims.issuerName),
            audience: .init(value: AccessTokenClaims.audienceName),
            issuedAt: .init(value: now),
            expiration: .init(value: now.addingTimeInterval(TimeInterval(lifetime.components.seconds))),
            session: session.uuidString.lowercased()
        )
        return try await keys.sign(claims, kid: keyID)
    }

    /// The claims of a valid token.
    /// - Throws: a `JWTError` for anything forged, malformed or expired.
    public func verify(_ token: String) async throws -> AccessTokenClaims {
        try await keys.verify(token, as: AccessTokenClaims.self)
    }

    /// A new EC P-256 private key in PEM form.
    public static func generatePrivateKeyPEM() -> String {
        ES256PrivateKey().pemRepresentation
    }
}
