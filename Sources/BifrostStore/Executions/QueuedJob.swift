import Bifrost

/// A job on its way into the queue.
struct QueuedJob: Sendable {
    var record: ExecutionRecord
    var caller: JobCaller
    var maximumAttempts: Int

    /// The JSON array `ExecutionStatements.Enqueue` reads with `json_to_recordset`.
    static func document(_ jobs: [QueuedJob]) -> UTF8Text {
        ExecutionRecord.document(of: jobs, record: { $0.record }) { job, writer in
            writer.key("max_attempts")
            writer.int(job.maximumAttempts)
            writer.key("caller")
            writer.value(job.caller.json)
        }
    }
}
