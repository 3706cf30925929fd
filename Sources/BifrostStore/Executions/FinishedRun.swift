import Bifrost
import Foundation

/// A run's outcome on its way to the database: the record and its log.
struct FinishedRun: Sendable {
    var record: ExecutionRecord
    var logs: [ExecutionLogLine]

    /// The JSON array `ExecutionStatements.Finish` reads with `json_to_recordset`.
    static func document(_ runs: [FinishedRun]) -> String {
        JSONValue.array(runs.map(\.row)).storableJSONText
    }

    /// Log lines as a JSON array, as the statements read them with `json_to_recordset` (`logged_at` in seconds
    /// since 1970).
    static func document(_ lines: [ExecutionLogLine]) -> JSONValue {
        .array(
            lines.map { line in
                [
                    "sequence": .int(line.sequence), "level": .string(line.level), "message": .string(line.message),
                    "logged_at": .double(line.loggedAt.timeIntervalSince1970),
                ]
            })
    }

    /// One element of the document: the record's row (`ExecutionRecord.documentRow`) and its log.
    private var row: JSONValue {
        var row = record.documentRow
        row["logs"] = Self.document(logs)
        return .object(row)
    }
}

extension ExecutionRecord {
    /// The record as one object of a JSON document the statements read with `json_to_recordset`, keyed by column.
    /// Input and result are embedded as JSON (not as text holding JSON); times are seconds since 1970, which
    /// PostgreSQL's `to_timestamp` reads; absent values are left out (read as NULL).
    var documentRow: [String: JSONValue] {
        var row: [String: JSONValue] = [
            "id": .string(id.lowercasedText), "workflow": .string(workflow), "status": .string(status.rawValue),
            "input": input, "started_by": .string(startedBy.label),
            "created_at": .double(createdAt.timeIntervalSince1970),
        ]
        row["organization_id"] = organizationID.map { .string($0.lowercasedText) }
        row["result"] = result
        row["error"] = error.map(JSONValue.string)
        row["started_by_user"] = startedBy.userID.map { .string($0.lowercasedText) }
        row["started_by_key"] = startedBy.apiKeyID.map { .string($0.lowercasedText) }
        row["started_at"] = startedAt.map { .double($0.timeIntervalSince1970) }
        row["finished_at"] = finishedAt.map { .double($0.timeIntervalSince1970) }
        row["duration_ms"] = durationMilliseconds.map(JSONValue.int)
        row["trace_id"] = traceID.map(JSONValue.string)
        return row
    }
}
