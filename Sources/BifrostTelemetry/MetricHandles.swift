import Synchronization

/// Metric handles made once per distinct set of label values and reused: making a `Counter` or `Timer` through
/// the Prometheus factory validates its name and labels and looks it up in the registry, about 4,000
/// instructions each (callgrind), where an increment is one atomic operation. Keys must come from bounded sets
/// (route templates, catalogue names, statuses), as the labels themselves must.
public final class MetricHandles<Key: Hashable & Sendable, Handles: Sendable>: Sendable {
    private let made = Mutex<[Key: Handles]>([:])
    private let make: @Sendable (Key) -> Handles

    /// Handles made by `make` the first time a key is asked for.
    public init(make: @escaping @Sendable (Key) -> Handles) {
        self.make = make
    }

    /// The handles of `key`, made now if this is the first time it is asked for.
    public func callAsFunction(_ key: Key) -> Handles {
        if let handles = made.withLock({ $0[key] }) { return handles }
        let handles = make(key)
        return made.withLock { made in
            if let existing = made[key] { return existing }
            made[key] = handles
            return handles
        }
    }
}
