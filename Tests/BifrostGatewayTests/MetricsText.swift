import Prometheus

/// Reads values out of a registry's Prometheus text, series by series.
struct MetricsText {
    let text: String

    init(_ registry: PrometheusCollectorRegistry) {
        text = registry.emitToString()
    }

    /// The value of `series` (a name with its labels as the registry writes them, `name{a="x",b="y"}`), or nil
    /// when the registry has no such series.
    func value(_ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// The value of `series`, 0 when absent (a counter never incremented).
    func count(_ series: String) -> Double { value(series) ?? 0 }
}
