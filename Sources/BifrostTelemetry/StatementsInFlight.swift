import Synchronization

/// How many SQL statements this process has under way, and the most at once since the last sample: what the
/// database pool's gauges are made of (PostgresNIO keeps its pool's own counts to itself).
///
/// A statement counts from the moment it is sent until its first answer, which is when it holds a pooled
/// connection; more statements in flight than the pool has connections means some are waiting for one.
public enum StatementsInFlight {
    private static let current = Atomic<Int>(0)
    private static let peak = Atomic<Int>(0)

    /// A statement starts.
    public static func begin() {
        let now = current.wrappingAdd(1, ordering: .relaxed).newValue
        var highest = peak.load(ordering: .relaxed)
        while now > highest {
            let (exchanged, original) = peak.weakCompareExchange(
                expected: highest, desired: now, ordering: .relaxed)
            if exchanged { break }
            highest = original
        }
    }

    /// A statement has its answer (or failed).
    public static func end() {
        current.wrappingSubtract(1, ordering: .relaxed)
    }

    /// The statements under way now, and the most at once since the previous sample (which this one starts anew).
    public static func sample() -> (current: Int, peak: Int) {
        let now = current.load(ordering: .relaxed)
        let highest = peak.exchange(now, ordering: .relaxed)
        return (now, max(now, highest))
    }
}
