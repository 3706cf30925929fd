import Bifrost

/// A job on its way into the queue.
struct QueuedJob: Sendable {
    var record: ExecutionRecord
    var caller: JobCaller
    var maximumAttempts: Int

    /// The JSON array `ExecutionStatements.Enqueue` reads with `json_to_recordset`.
    static func document(_ jobs: [QueuedJob]) -> String {
        JSONValue.array(
            jobs.map { job in
                var row = job.record.documentRow
                row["max_attempts"] = .int(job.maximumAttempts)
                row["caller"] = job.caller.json
                return .object(row)
            }
        ).storableJSONText
    }
}
