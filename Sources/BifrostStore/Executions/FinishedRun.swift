import Bifrost
import Foundation

/// A run's outcome on its way to the database: the record and its log.
struct FinishedRun: Sendable {
    var record: ExecutionRecord
    var logs: [ExecutionLogLine]

    /// The JSON array `ExecutionStatements.Finish` reads with `json_to_recordset`.
    static func document(_ runs: [FinishedRun]) throws -> String {
        String(decoding: try JSONEncoder().encode(runs.map(Row.init)), as: UTF8.self)
    }

    /// One element of the document; input and result are embedded as JSON (not as text holding JSON), and
    /// times are seconds since 1970, which PostgreSQL's `to_timestamp` reads.
    private struct Row: Encodable {
        var id: UUID
        var workflow: String
        var organization_id: UUID?
        var status: String
        var input: JSONValue
        var result: JSONValue?
        var error: String?
        var started_by_user: UUID?
        var started_by_key: UUID?
        var started_by: String
        var created_at: Double
        var started_at: Double?
        var finished_at: Double?
        var duration_ms: Int?
        var logs: [Line]

        init(_ run: FinishedRun) {
            let record = run.record
            id = record.id
            workflow = record.workflow
            organization_id = record.organizationID
            status = record.status.rawValue
            input = record.input
            result = record.result
            error = record.error
            started_by_user = record.startedBy.userID
            started_by_key = record.startedBy.apiKeyID
            started_by = record.startedBy.label
            created_at = record.createdAt.timeIntervalSince1970
            started_at = record.startedAt?.timeIntervalSince1970
            finished_at = record.finishedAt?.timeIntervalSince1970
            duration_ms = record.durationMilliseconds
            logs = run.logs.map(Line.init)
        }
    }

    private struct Line: Encodable {
        var sequence: Int
        var level: String
        var message: String
        var logged_at: Double

        init(_ line: ExecutionLogLine) {
            sequence = line.sequence
            level = line.level
            message = line.message
            logged_at = line.loggedAt.timeIntervalSince1970
        }
    }
}
