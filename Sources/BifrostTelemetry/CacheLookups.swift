public import Metrics

/// Counts one cache's lookups as hits and misses (`bifrost_cache_lookups_total{cache,result}`); the hit ratio is
/// derived in PromQL. Its counters are made once, so a lookup costs an atomic increment.
public struct CacheLookups: Sendable {
    private let hits: Counter
    private let misses: Counter

    /// Counts the lookups of `cache` through `factory`; the default counts nothing.
    public init(_ cache: CacheName, factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        hits = Counter(
            label: MetricName.cacheLookups, dimensions: [("cache", cache.rawValue), ("result", "hit")], factory: factory
        )
        misses = Counter(
            label: MetricName.cacheLookups, dimensions: [("cache", cache.rawValue), ("result", "miss")],
            factory: factory)
    }

    /// Counts a lookup: a hit when `hit`, else a miss.
    public func record(hit: Bool) {
        (hit ? hits : misses).increment()
    }
}
