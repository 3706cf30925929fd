public import Foundation
import Synchronization

/// Organisation names for `ExecutionContext.orgName`, remembered for a short while so that a run does not
/// cost a database read for a name that rarely changes (a rename shows in new runs within `lifetime`).
public final class OrganizationNames: Sendable {
    private struct Entry {
        var name: String?
        var validUntil: ContinuousClock.Instant
    }

    private let lookup: @Sendable (UUID) async throws -> String?
    private let lifetime: Duration
    private let entries = Mutex<[UUID: Entry]>([:])

    /// - Parameter lookup: reads an organisation's name (nil if there is no such organisation).
    public init(lifetime: Duration = .seconds(30), lookup: @escaping @Sendable (UUID) async throws -> String?) {
        self.lookup = lookup
        self.lifetime = lifetime
    }

    /// The name of organisation `id`; nil for global scope or an organisation that does not exist.
    public func name(of id: UUID?) async throws -> String? {
        guard let id else { return nil }
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[id] }), entry.validUntil > now { return entry.name }
        let name = try await lookup(id)
        entries.withLock { entries in
            if entries.count >= 10_000 { entries.removeAll(keepingCapacity: true) }
            entries[id] = Entry(name: name, validUntil: now + lifetime)
        }
        return name
    }
}
