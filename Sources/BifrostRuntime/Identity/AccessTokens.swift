import BifrostCrypto
import BifrostStore
public import Foundation
import JWTKit
import Synchronization

/// Issues and verifies gateway access tokens: ES256 JWTs with a `kid`, 15 minutes by default.
///
/// One key signs; it and recently retired keys verify (`install`). `SigningKeys` installs the deployment's keys
/// from PostgreSQL and reinstalls them when any replica rotates; a gateway given `auth.signingKeyFile` is built
/// with that one key instead (`isFixed`).
///
/// Verification accepts only ES256 tokens signed by an installed key: `alg: none`, HMAC tokens (including ones
/// "signed" with the public key), tokens without a `kid` or with one not installed, other issuers or audiences and
/// expired tokens fail. A `kid` that is not installed is looked up through the handler `SigningKeys` sets (a key
/// another replica has just made), at most once a second.
public final class AccessTokens: Sendable {
    /// No signing key is installed yet (the database's keys are loaded after the migrations).
    public struct NoSigningKey: Error, CustomStringConvertible {
        public var description: String { "no access-token signing key is loaded yet" }
    }

    /// A public key as published at `/.well-known/jwks.json` (RFC 7517, an EC P-256 key).
    public struct PublicKey: Sendable, Hashable {
        /// The key id tokens name in their header.
        public var kid: String
        /// The curve point, base64url.
        public var x: String
        public var y: String
        /// Whether this key signs new tokens (the others only verify).
        public var signs: Bool
    }

    private struct Installed: Sendable {
        var collection = JWTKeyCollection()
        var signing: JWKIdentifier?
        var published: [PublicKey] = []
        /// Every key id that verifies (JWTKit would try its default key for any other).
        var kids: Set<String> = []
    }

    /// The part of a token's header that picks the key.
    private struct Header: Decodable {
        var kid: String?
    }

    private let installed = Mutex(Installed())
    private let unknownKeyHandler = Mutex<(@Sendable () async -> Bool)?>(nil)
    /// How long an access token lives.
    public let lifetime: Duration
    /// Whether the key was given at construction (`auth.signingKeyFile`): the database's keys are not used.
    public let isFixed: Bool

    /// Tokens with no key yet: `install` gives them theirs.
    public init(lifetime: Duration) {
        self.lifetime = lifetime
        self.isFixed = false
    }

    /// Tokens signed and verified with one fixed key.
    /// - Parameter privateKeyPEM: an EC P-256 private key in PEM form.
    public init(privateKeyPEM: String, lifetime: Duration) async throws {
        self.lifetime = lifetime
        self.isFixed = true
        try await install(signing: privateKeyPEM, verifying: [])
    }

    /// Makes `signing` the key that signs, and it and `verifying` (public keys in PEM form, by key id) the keys
    /// that verify, replacing what was installed.
    public func install(signing privateKeyPEM: String, verifying: [(kid: String, publicPEM: String)]) async throws {
        let key = try ES256PrivateKey(pem: privateKeyPEM)
        let kid = Self.keyID(ofPublicPEM: key.publicKey.pemRepresentation)
        var next = Installed(signing: JWKIdentifier(string: kid), kids: [kid])
        await next.collection.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        next.published.append(try Self.published(key.publicKey, kid: kid, signs: true))
        for (otherID, publicPEM) in verifying where otherID != kid {
            let publicKey = try ES256PublicKey(pem: publicPEM)
            await next.collection.add(ecdsa: publicKey, kid: JWKIdentifier(string: otherID))
            next.published.append(try Self.published(publicKey, kid: otherID, signs: false))
            next.kids.insert(otherID)
        }
        installed.withLock { $0 = next }
    }

    /// Sets what verification calls for a `kid` it does not know; the handler reinstalls the keys and says
    /// whether it did.
    public func onUnknownKey(_ handler: @escaping @Sendable () async -> Bool) {
        unknownKeyHandler.withLock { $0 = handler }
    }

    /// The id of the key that signs now; nil before one is installed.
    public var signingKeyID: String? { installed.withLock { $0.signing?.string } }

    /// The installed public keys, the signing one first.
    public var publicKeys: [PublicKey] { installed.withLock { $0.published } }

    /// A signed token for `userID` in login session `session`. - Throws: `NoSigningKey` before a key is installed.
    public func issue(userID: UUID, session: UUID, now: Date = Date()) async throws -> String {
        let (collection, signing) = installed.withLock { ($0.collection, $0.signing) }
        guard let signing else { throw NoSigningKey() }
        let claims = AccessTokenClaims(
            subject: .init(value: userID.lowercasedText),
            issuer: .init(value: AccessTokenClaims.issuerName),
            audience: .init(value: AccessTokenClaims.audienceName),
            issuedAt: .init(value: now),
            expiration: .init(value: now.addingTimeInterval(TimeInterval(lifetime.components.seconds))),
            session: session.lowercasedText
        )
        return try await collection.sign(claims, kid: signing)
    }

    /// The claims of a valid token.
    /// - Throws: a `JWTError` for anything forged, malformed or expired.
    public func verify(_ token: String) async throws -> AccessTokenClaims {
        guard let kid = Self.keyID(of: token) else { throw JWTError.unknownKID(JWKIdentifier(string: "")) }
        var (collection, known) = installed.withLock { ($0.collection, $0.kids.contains(kid)) }
        if !known, let handler = unknownKeyHandler.withLock({ $0 }), await handler() {
            (collection, known) = installed.withLock { ($0.collection, $0.kids.contains(kid)) }
        }
        guard known else { throw JWTError.unknownKID(JWKIdentifier(string: kid)) }
        return try await collection.verify(token, as: AccessTokenClaims.self)
    }

    /// The `kid` a token's header names; nil when it is malformed or names none.
    private static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".", maxSplits: 1).first, header.utf8.count <= 1_024,
            let bytes = Base64.decodeURLSafe(header)
        else { return nil }
        return (try? JSONDecoder().decode(Header.self, from: Data(bytes)))?.kid
    }

    /// A new EC P-256 private key in PEM form.
    public static func generatePrivateKeyPEM() -> String {
        ES256PrivateKey().pemRepresentation
    }

    /// The public PEM of a private key in PEM form.
    public static func publicPEM(ofPrivatePEM pem: String) throws -> String {
        try ES256PrivateKey(pem: pem).publicKey.pemRepresentation
    }

    /// A key's id: the first 16 hex digits of the SHA-256 of its public PEM.
    public static func keyID(ofPublicPEM pem: String) -> String {
        String(SHA256Digest.hex(pem).prefix(16))
    }

    private static func published(_ key: ES256PublicKey, kid: String, signs: Bool) throws -> PublicKey {
        guard let point = key.parameters else { throw JWTError.generic(identifier: "jwks", reason: "no curve point") }
        return PublicKey(kid: kid, x: point.x, y: point.y, signs: signs)
    }
}
