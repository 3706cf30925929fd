import BifrostStore
import Foundation
import Synchronization

/// Counts runs in progress against the total and per-organisation limits.
final class ExecutionSlots: Sendable {
    private let total: Int
    private let perOrganization: Int
    private let counts = Mutex<(total: Int, byOrganization: [UUID?: Int])>((0, [:]))

    init(total: Int, perOrganization: Int) {
        self.total = total
        self.perOrganization = perOrganization
    }

    func acquire(organization: UUID?) -> Bool {
        counts.withLock { counts in
            let current = counts.byOrganization[organization, default: 0]
            guard counts.total < total, current < perOrganization else { return false }
            counts.total += 1
            counts.byOrganization[organization] = current + 1
            return true
        }
    }

    /// Runs that may still start, in all and per organisation.
    func capacity() -> (total: Int, perOrganization: OrganizationCapacity) {
        counts.withLock { counts in
            (
                total - counts.total,
                OrganizationCapacity(
                    remaining: counts.byOrganization.mapValues { perOrganization - $0 }, default: perOrganization)
            )
        }
    }

    func release(organization: UUID?) {
        counts.withLock { counts in
            counts.total -= 1
            let remaining = counts.byOrganization[organization, default: 1] - 1
            counts.byOrganization[organization] = remaining > 0 ? remaining : nil
        }
    }
}
