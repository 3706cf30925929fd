import Bifrost

/// A job on its way into the queue.
struct QueuedJob: Sendable {
    var record: ExecutionRecord
    var caller: JobCaller
    var maximumAttempts: Int

    /// The JSON array `ExecutionStatements.Enqueue` reads with `json_to_recordset`.
    static func document(_ jobs: [QueuedJob]) -> UTF8Text {
        var writer = JSONTextWriter(replacingNUL: true, capacity: 512 * jobs.count)
        writer.beginArray()
        for job in jobs {
            writer.beginObject()
            job.record.writeColumns(to: &writer)
            writer.key("max_attempts")
            writer.int(job.maximumAttempts)
            writer.key("caller")
            writer.value(job.caller.json)
            writer.endObject()
        }
        writer.endArray()
        return UTF8Text(bytes: writer.bytes)
    }
}
