public import Bifrost
import Foundation
import Synchronization

/// Options of data providers, kept per organisation for each provider's cache TTL.
public final class DataProviderCache: Sendable {
    private struct Key: Hashable {
        var provider: String
        var organization: UUID?
    }

    private let entries = Mutex<[Key: (options: [Option], until: ContinuousClock.Instant)]>([:])

    public init() {}

    /// The provider's options for the context's organisation, computed when not cached or expired.
    public func options(of provider: any DataProvider.Type, context: ExecutionContext) async throws -> [Option] {
        let key = Key(provider: provider.configuration.name, organization: context.orgID)
        let now = ContinuousClock.now
        if let cached = entries.withLock({ $0[key] }), cached.until > now { return cached.options }
        let options = try await provider.init().options(context)
        entries.withLock { $0[key] = (options, now + provider.configuration.cacheTTL) }
        return options
    }
}
