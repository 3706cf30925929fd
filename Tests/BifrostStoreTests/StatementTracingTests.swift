import BifrostTelemetry
import Foundation
import Testing

/// Every statement is a span named after what it does, never what it holds; and no store can bypass that.
@Suite struct StatementTracingTests {
    @Test(arguments: [
        ("SELECT id, name FROM organizations WHERE id = $1", "SELECT organizations"),
        ("INSERT INTO executions (id) VALUES ($1) ON CONFLICT (id) DO NOTHING", "INSERT executions"),
        ("UPDATE api_keys SET last_used_at = now() WHERE id = $1", "UPDATE api_keys"),
        ("DELETE FROM files WHERE organization_id = $1", "DELETE files"),
        ("SELECT * FROM (SELECT id FROM users) AS x", "SELECT users"),
        (
            "WITH run AS (SELECT * FROM json_to_recordset($1::json)) INSERT INTO executions SELECT * FROM run",
            "INSERT executions"
        ),
        ("  select count(*) from secrets", "SELECT secrets"),
        ("LISTEN bifrost_jobs", "LISTEN"),
        ("SELECT pg_notify('bifrost_oauth', '')", "SELECT"),
    ])
    func aStatementIsNamedByItsOperationAndTable(sql: String, name: String) {
        #expect(StatementSummary(sql: sql).spanName == name)
    }

    @Test func aLiteralInTheStatementIsNotPartOfTheName() {
        let summary = StatementSummary(sql: "SELECT 1 FROM users WHERE email = 'alice@contoso.example'")
        #expect(summary.spanName == "SELECT users")
    }

    /// A store calling PostgresNIO's `query` or `execute` directly would send statements no trace shows.
    @Test func everyStoreStatementGoesThroughTheTracedCalls() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var offenders: [String] = []
        for folder in ["Sources/BifrostStore", "Sources/BifrostRuntime"] {
            let base = root.appending(path: folder)
            let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") && !file.hasSuffix("PostgresClient+Tracing.swift") {
                let text = try String(contentsOf: base.appending(path: file), encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.contains("client.query(") || line.contains("connection.query(")
                    || line.contains("client.execute(") || line.contains("connection.execute(")
                {
                    offenders.append("\(folder)/\(file):\(number + 1)")
                }
            }
        }
        #expect(offenders.isEmpty, "untraced statements: \(offenders)")
    }

    @Test func aTraceParentIsParsedOnlyWhenWellFormed() throws {
        let parsed = try #require(TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(parsed.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parsed.spanID == "00f067aa0ba902b7")
        #expect(parsed.sampled)
        #expect(parsed.header == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        for bad in [
            "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01",
        ] {
            #expect(TraceParent(header: bad) == nil, "\(bad)")
        }
    }
}
