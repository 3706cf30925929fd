import Bifrost
import Foundation

/// A run's outcome on its way to the database: the record and its log.
struct FinishedRun: Sendable {
    var record: ExecutionRecord
    var logs: [ExecutionLogLine]

    /// The JSON array `ExecutionStatements.Finish` reads with `json_to_recordset`: each record's columns
    /// (`ExecutionRecord.writeColumns`) and its log.
    static func document(_ runs: [FinishedRun]) -> UTF8Text {
        ExecutionRecord.document(of: runs, record: { $0.record }) { run, writer in
            writer.key("logs")
            write(run.logs, to: &writer)
        }
    }

    /// Log lines as a JSON array, as the statements read them with `json_to_recordset` (`logged_at` in seconds
    /// since 1970).
    static func document(_ lines: [ExecutionLogLine]) -> UTF8Text {
        .storableJSON(capacity: 96 * lines.count) { writer in write(lines, to: &writer) }
    }

    private static func write(_ lines: [ExecutionLogLine], to writer: inout JSONTextWriter) {
        writer.beginArray()
        for line in lines {
            writer.beginObject()
            writer.key("sequence")
            writer.int(line.sequence)
            writer.key("level")
            writer.string(line.level)
            writer.key("message")
            writer.string(line.message)
            writer.key("logged_at")
            writer.double(line.loggedAt.timeIntervalSince1970)
            writer.endObject()
        }
        writer.endArray()
    }
}

extension ExecutionRecord {
    /// A JSON array the statements read with `json_to_recordset`, an object per item: its record's columns
    /// (`writeColumns`), then what `members` writes of it (a run's log, a job's attempts and caller).
    static func document<Item>(
        of items: [Item], record: (Item) -> ExecutionRecord, members: (Item, inout JSONTextWriter) -> Void
    ) -> UTF8Text {
        .storableJSON(capacity: 512 * items.count) { writer in
            writer.beginArray()
            for item in items {
                writer.beginObject()
                record(item).writeColumns(to: &writer)
                members(item, &writer)
                writer.endObject()
            }
            writer.endArray()
        }
    }

    /// Writes the record's members of a JSON object the statements read with `json_to_recordset`, keyed by column,
    /// into the object `writer` has open. Input and result are embedded as JSON (not as text holding JSON); times
    /// are seconds since 1970, which PostgreSQL's `to_timestamp` reads; absent values are left out (read as NULL).
    /// Written straight to text: a dictionary built first cost every run about 20,000 instructions of hashing.
    func writeColumns(to writer: inout JSONTextWriter) {
        writer.key("id")
        writer.string(id)
        writer.key("workflow")
        writer.string(workflow)
        writer.key("status")
        writer.string(status.rawValue)
        writer.key("input")
        writer.value(input)
        writer.key("started_by")
        writer.string(startedBy.label)
        writer.key("created_at")
        writer.double(createdAt.timeIntervalSince1970)
        if let organizationID {
            writer.key("organization_id")
            writer.string(organizationID)
        }
        if let result {
            writer.key("result")
            writer.value(result)
        }
        if let error {
            writer.key("error")
            writer.string(error)
        }
        if let user = startedBy.userID {
            writer.key("started_by_user")
            writer.string(user)
        }
        if let key = startedBy.apiKeyID {
            writer.key("started_by_key")
            writer.string(key)
        }
        if let startedAt {
            writer.key("started_at")
            writer.double(startedAt.timeIntervalSince1970)
        }
        if let finishedAt {
            writer.key("finished_at")
            writer.double(finishedAt.timeIntervalSince1970)
        }
        if let durationMilliseconds {
            writer.key("duration_ms")
            writer.int(durationMilliseconds)
        }
        if let traceID {
            writer.key("trace_id")
            writer.string(traceID)
        }
    }
}
