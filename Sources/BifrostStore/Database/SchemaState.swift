import Synchronization

/// Whether this process has brought the schema up to date; read by the readiness check.
public final class SchemaState: Sendable {
    private let current = Atomic<Bool>(false)

    public init() {}

    /// True once every shipped migration is applied.
    public var isCurrent: Bool { current.load(ordering: .acquiring) }

    /// Records that every shipped migration is applied.
    public func markCurrent() { current.store(true, ordering: .releasing) }
}
