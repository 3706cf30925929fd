public import BifrostStore
import Foundation
public import Logging
public import PostgresNIO
import Synchronization

/// The deployment's access-token signing keys, kept in PostgreSQL and installed into `AccessTokens`, so every
/// replica signs with the same key and verifies every other replica's tokens without configuration.
///
/// The first replica to start on an empty database generates the key (a unique index lets exactly one win);
/// `rotate()` makes a new key sign while the old one keeps verifying until its tokens have expired. Each replica
/// reloads when a rotation is announced (`subscription`), when listening resumes, and when a token names a key it
/// does not hold (at most once a second). The private key is stored sealed under the global data key.
/// A gateway whose `AccessTokens` were given a key file (`isFixed`) leaves the database's keys alone.
public final class SigningKeys: Sendable {
    /// `rotate()` on a gateway that signs with `auth.signingKeyFile`.
    public struct FixedKey: Error, CustomStringConvertible {
        public init() {}

        public var description: String {
            "this gateway signs with auth.signingKeyFile: replace that file on every replica to change its key"
        }
    }

    private static let kind = "signing-key"
    /// A retired key verifies for the token lifetime plus this much clock difference between replicas.
    private static let clockSkew: TimeInterval = 60

    let repository: PostgresSigningKeyRepository
    let keyRing: KeyRing
    /// What the keys are installed into.
    public let tokens: AccessTokens
    let logger: Logger
    private let lastUnknownKeyLoad = Mutex<ContinuousClock.Instant?>(nil)

    public init(client: PostgresClient, keyRing: KeyRing, tokens: AccessTokens, logger: Logger) {
        self.repository = PostgresSigningKeyRepository(client: client, logger: logger)
        self.keyRing = keyRing
        self.tokens = tokens
        self.logger = logger
        tokens.onUnknownKey { [weak self] in await self?.loadForUnknownKey() ?? false }
    }

    /// Installs the stored keys, generating the first one if there is none.
    /// - Throws: when the database cannot be read or a key cannot be opened (a wrong master key).
    public func load() async throws {
        guard !tokens.isFixed else { return }
        var stored = try await verifyingKeys()
        if !stored.contains(where: { $0.retiredAt == nil }) {
            if try await repository.insertFirst(try await newKey()) {
                logger.notice("Generated the deployment's access-token signing key")
            }
            stored = try await verifyingKeys()
        }
        guard let signing = stored.first(where: { $0.retiredAt == nil }) else { throw AccessTokens.NoSigningKey() }
        let privatePEM = try await keyRing.open(
            signing.sealed, kind: Self.kind, name: signing.kid, of: .global, version: signing.dataKeyVersion)
        try await tokens.install(signing: privatePEM, verifying: stored.map { ($0.kid, $0.publicPEM) })
    }

    /// Makes a new key sign; the previous one verifies until the tokens it signed have expired. Every replica
    /// is told. - Returns: the new key's id. - Throws: `FixedKey` when the key comes from a file.
    @discardableResult
    public func rotate() async throws -> String {
        guard !tokens.isFixed else { throw FixedKey() }
        let key = try await newKey()
        let keep = max(tokens.lifetime.components.seconds * 2, 86_400)
        try await repository.rotate(to: key, deleteRetiredBefore: Date().addingTimeInterval(-TimeInterval(keep)))
        try await load()
        logger.notice("Rotated the access-token signing key", metadata: ["bifrost.auth.kid": "\(key.kid)"])
        return key.kid
    }

    /// Reloads the keys whenever any replica rotates them, and when listening (re)starts.
    public var subscription: NotificationSubscription {
        NotificationSubscription(
            channel: PostgresSigningKeyRepository.channel,
            received: { [self] _ in reloadInBackground() },
            resumed: { [self] in reloadInBackground() }
        )
    }

    private func reloadInBackground() {
        guard !tokens.isFixed, tokens.signingKeyID != nil else { return }
        // Unstructured: a notification handler may not wait. It ends with the load (three short statements).
        Task {
            do { try await load() } catch {
                logger.warning("Could not reload the signing keys", metadata: ["error.message": "\(error)"])
            }
        }
    }

    /// Reloads for a token naming a key this replica does not hold, unless that was tried in the last second
    /// (so forged key ids cannot make every request query the database). - Returns: whether it reloaded.
    private func loadForUnknownKey() async -> Bool {
        guard !tokens.isFixed else { return false }
        let now = ContinuousClock.now
        let allowed = lastUnknownKeyLoad.withLock { last in
            if let last, now - last < .seconds(1) { return false }
            last = now
            return true
        }
        guard allowed else { return false }
        do {
            try await load()
            return true
        } catch {
            logger.warning("Could not reload the signing keys", metadata: ["error.message": "\(error)"])
            return false
        }
    }

    private func verifyingKeys() async throws -> [StoredSigningKey] {
        let window = TimeInterval(tokens.lifetime.components.seconds) + Self.clockSkew
        return try await repository.verifying(retiredSince: Date().addingTimeInterval(-window))
    }

    /// A new key pair, its private half sealed under the global data key.
    private func newKey() async throws -> StoredSigningKey {
        let privatePEM = AccessTokens.generatePrivateKeyPEM()
        let publicPEM = try AccessTokens.publicPEM(ofPrivatePEM: privatePEM)
        let kid = AccessTokens.keyID(ofPublicPEM: publicPEM)
        let (sealed, version) = try await keyRing.seal(privatePEM, kind: Self.kind, name: kid, for: .global)
        return StoredSigningKey(kid: kid, publicPEM: publicPEM, sealed: sealed, dataKeyVersion: version)
    }
}
