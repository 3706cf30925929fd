import Bifrost
import Foundation

/// A run's outcome on its way to the database: the record and its log.
struct FinishedRun: Sendable {
    var record: ExecutionRecord
    var logs: [ExecutionLogLine]

    /// The JSON array `ExecutionStatements.Finish` reads with `json_to_recordset`.
    static func document(_ runs: [FinishedRun]) -> String {
        JSONValue.array(runs.map(\.row)).jsonText
    }

    /// Log lines as a JSON array, as the statements read them with `json_to_recordset` (`logged_at` in seconds
    /// since 1970).
    static func document(_ lines: [ExecutionLogLine]) -> JSONValue {
        .array(lines.map { line in
            [
                "sequence": .int(line.sequence), "level": .string(line.level), "message": .string(line.message),
                "logged_at": .double(line.loggedAt.timeIntervalSince1970),
            ]
        })
    }

    /// One element of the document. Input and result are embedded as JSON (not as text holding JSON); times are
    /// seconds since 1970, which PostgreSQL's `to_timestamp` reads; absent values are left out (read as NULL).
    private var row: JSONValue {
        var row: [String: JSONValue] = [
            "id": .string(record.id.uuidString), "workflow": .string(record.workflow),
            "status": .string(record.status.rawValue), "input": record.input,
            "started_by": .string(record.startedBy.label), "created_at": .double(record.createdAt.timeIntervalSince1970),
            "logs": Self.document(logs),
        ]
        row["organization_id"] = record.organizationID.map { .string($0.uuidString) }
        row["result"] = record.result
        row["error"] = record.error.map(JSONValue.string)
        row["started_by_user"] = record.startedBy.userID.map { .string($0.uuidString) }
        row["started_by_key"] = record.startedBy.apiKeyID.map { .string($0.uuidString) }
        row["started_at"] = record.startedAt.map { .double($0.timeIntervalSince1970) }
        row["finished_at"] = record.finishedAt.map { .double($0.timeIntervalSince1970) }
        row["duration_ms"] = record.durationMilliseconds.map(JSONValue.int)
        return .object(row)
    }
}
