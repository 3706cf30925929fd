import Foundation
package import JWTKit
package import Logging

/// One issuer's signing keys, fetched when first needed and again when a token names a key not yet seen.
///
/// A fetch caused by an unknown `kid` happens at most once per `refetchInterval` (default one minute), however
/// many requests carry unknown keys, and concurrent callers share one fetch. Keys older than `maximumAge` are
/// refreshed on the next use; if that fails, the keys in hand stay in use.
package actor OIDCKeySet {
    package typealias Source = @Sendable () async throws -> JWKS

    private let source: Source
    private let refetchInterval: Duration
    private let maximumAge: Duration
    private let logger: Logger
    private let now: @Sendable () -> ContinuousClock.Instant

    private var keys = JWTKeyCollection()
    private var keyIDs: Set<String> = []
    private var fetchedAt: ContinuousClock.Instant?
    private var attemptedAt: ContinuousClock.Instant?
    private var inFlight: Task<Void, any Error>?

    /// - Parameter now: the clock; tests pass one they move themselves.
    package init(
        refetchInterval: Duration, maximumAge: Duration = .seconds(24 * 3600), logger: Logger,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }, source: @escaping Source
    ) {
        self.source = source
        self.refetchInterval = refetchInterval
        self.maximumAge = maximumAge
        self.logger = logger
        self.now = now
    }

    /// A collection that holds the key `keyID`, or nil when the issuer does not publish it.
    /// - Throws: when the key set has never been fetched successfully and cannot be fetched now.
    package func keys(containing keyID: String) async throws -> JWTKeyCollection? {
        let now = now()
        let stale = fetchedAt.map { now - $0 > maximumAge } ?? true
        let known = keyIDs.contains(keyID)
        let mayFetch = attemptedAt.map { now - $0 >= refetchInterval } ?? true
        if !known || stale, mayFetch || fetchedAt == nil {
            do {
                try await fetch()
            } catch let error where fetchedAt != nil {
                logger.warning(
                    "Could not refresh an OIDC key set; keeping the keys in hand", metadata: ["error": "\(error)"])
            }
        }
        return keyIDs.contains(keyID) ? keys : nil
    }

    private func fetch() async throws {
        if let inFlight { return try await inFlight.value }
        // Shared by every request that needs the keys meanwhile; it ends with the fetch (bounded by its timeout).
        let task = Task { try await self.replaceKeys() }
        inFlight = task
        defer { inFlight = nil }
        try await task.value
    }

    private func replaceKeys() async throws {
        attemptedAt = now()
        let set = try await source()
        let collection = JWTKeyCollection()
        var ids: Set<String> = []
        for key in set.keys where key.keyType == .rsa {
            guard let id = key.keyIdentifier?.string else { continue }
            try await collection.add(jwk: key)
            ids.insert(id)
        }
        keys = collection
        keyIDs = ids
        fetchedAt = now()
        logger.info("Fetched an OIDC key set", metadata: ["keys": "\(ids.count)"])
    }
}
