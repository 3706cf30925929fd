import BifrostTelemetry
import Foundation
import Testing

/// The committed Grafana dashboard and the observability guide ask only for metrics the code defines
/// (`MetricName`): a renamed metric cannot leave a panel silently empty.
@Suite struct DashboardTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Metric names in a PromQL expression: ours all start with `bifrost_` or `http_`; a histogram's series add
    /// `_bucket`, `_sum` or `_count`.
    static func metricNames(in expression: String) -> Set<String> {
        var names: Set<String> = []
        let pattern = /\b(?:bifrost|http)_[a-z0-9_]+/
        for match in expression.matches(of: pattern) {
            var name = String(match.output)
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
                let base = String(name.dropLast(suffix.count))
                if MetricName.all.contains(base) { name = base }
            }
            names.insert(name)
        }
        return names
    }

    /// Every `expr` of every panel (and nested row panel) in the dashboard.
    static func expressions(in object: Any) -> [String] {
        if let dictionary = object as? [String: Any] {
            let own = (dictionary["expr"] as? String).map { [$0] } ?? []
            return own + dictionary.values.flatMap(expressions(in:))
        }
        if let array = object as? [Any] { return array.flatMap(expressions(in:)) }
        return []
    }

    @Test func everyDashboardExpressionUsesOnlyDefinedMetrics() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("docs/grafana/bifrost-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let expressions = Self.expressions(in: dashboard)
        #expect(expressions.count >= 12)
        var used: Set<String> = []
        for expression in expressions {
            let names = Self.metricNames(in: expression)
            #expect(!names.isEmpty, "\(expression) names no metric")
            for name in names {
                #expect(MetricName.all.contains(name), "the dashboard asks for \(name), which the code never records")
            }
            used.formUnion(names)
        }
        // Every metric has a panel.
        for name in MetricName.all {
            #expect(used.contains(name), "no panel shows \(name)")
        }
        #expect(String(decoding: data, as: UTF8.self).contains("${DS_PROMETHEUS}"))
    }

    @Test func theGuideDescribesEveryMetric() throws {
        let guide = try String(
            contentsOf: Self.root.appendingPathComponent("docs/observability.md"), encoding: .utf8)
        for name in MetricName.all {
            #expect(guide.contains("`\(name)`"), "docs/observability.md does not describe \(name)")
        }
        for name in Self.metricNames(in: guide) {
            #expect(MetricName.all.contains(name), "docs/observability.md names \(name), which the code never records")
        }
    }
}
