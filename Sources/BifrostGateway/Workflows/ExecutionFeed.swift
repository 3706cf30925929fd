import BifrostAPI
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation
import Logging

/// One thing that happened to a run, as its watchers are told.
enum ExecutionEvent: Sendable {
    /// The run as it is now: first, then after each status change.
    case status(ExecutionRecord)
    /// A new log line.
    case log(ExecutionLogLine)
    /// Nothing happened for a while (streams keep their connection alive with it).
    case idle

    /// The event's name and its data as JSON (`Execution` or `ExecutionLogLine` of the contract); nil for `idle`.
    func encoded() throws -> (name: String, id: Int?, json: String)? {
        switch self {
        case .status(let record):
            ("status", nil, try Self.json(Components.Schemas.Execution(record)))
        case .log(let line):
            (
                "log", line.sequence,
                try Self.json(
                    Components.Schemas.ExecutionLogLine(
                        sequence: line.sequence, level: .init(rawValue: line.level) ?? .info, message: line.message,
                        timestamp: line.loggedAt
                    ))
            )
        case .idle:
            nil
        }
    }

    private static func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// The events of one run for one caller, whichever replica runs it: the Server-Sent Events stream and the
/// WebSocket both read their runs through it.
///
/// The database is the truth: on each wake-up (a notification from any replica, through `ExecutionWatchers`, or
/// every `pollInterval` in case one was missed) the feed reads the run and its new log lines, with the caller's
/// visibility, and passes on what changed: the state first, then `log` events and a `status` event for each
/// change, lines before the status they lead to. It ends after the final status, or as soon as the caller's
/// credential no longer stands (re-checked after every credential change on any replica). Debug lines are left
/// out.
struct ExecutionFeed: Sendable {
    let id: UUID
    let visibility: ExecutionVisibility
    let engine: ExecutionEngine
    /// Where the run and its log lines are read.
    let executions: PostgresExecutionRepository
    /// The caller's credential, whose revocation ends the feed; nil where the caller watches it once for all its
    /// feeds (`ExecutionSocket`).
    let credential: WatchedCredential?
    let logger: Logger
    var pollInterval: Duration = .seconds(5)
    /// Idle polls before an `idle` event.
    var pollsPerIdleEvent = 3

    /// The run's events after log line `sequence`, or nil when the caller may not see the run. The feed stops
    /// when the stream is dropped.
    func events(after sequence: Int) async throws -> AsyncStream<ExecutionEvent>? {
        // Listen before the first read, so that no change between the two is missed, and register the watch with
        // that read, so that replicas notify changes of this run (most runs have no watcher and notify nothing).
        let wakeups = engine.watchers.watch(id)
        let watch = UUID()
        guard
            let first = try await executions.watch(
                id, visibility, as: watch, instance: engine.instanceID, after: sequence, includeDebug: false
            )
        else { return nil }
        let (events, output) = AsyncStream.makeStream(of: ExecutionEvent.self)
        // Unstructured: it outlives this call, for as long as the reader reads; the stream's termination cancels it.
        let producer = Task { [credential] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await produce(first: first, after: sequence, wakeups: wakeups, into: output) }
                if let credential { group.addTask { await credential.revoked() } }
                // Whichever ends first (the run's final status, or the credential's revocation) ends the feed.
                await group.next()
                group.cancelAll()
            }
            output.finish()
            // In a task of its own: this one is cancelled when the stream's reader goes away.
            await Task { await unwatch(watch) }.value
        }
        output.onTermination = { _ in producer.cancel() }
        return events
    }

    private func produce(
        first: (record: ExecutionRecord, lines: [ExecutionLogLine]), after sequence: Int, wakeups: AsyncStream<Void>,
        into output: AsyncStream<ExecutionEvent>.Continuation
    ) async {
        var lastSequence = sequence
        var lastStatus: ExecutionStatus?
        func send(_ record: ExecutionRecord, _ lines: [ExecutionLogLine]) {
            if lastStatus == nil, !record.status.isFinal {
                output.yield(.status(record))
                lastStatus = record.status
            }
            for line in lines {
                output.yield(.log(line))
                lastSequence = line.sequence
            }
            if record.status != lastStatus {
                output.yield(.status(record))
                lastStatus = record.status
            }
        }

        let ticks = Self.merge(wakeups, every: pollInterval)
        var idlePolls = 0
        send(first.record, first.lines)
        do {
            var iterator = ticks.makeAsyncIterator()
            while lastStatus?.isFinal != true, !Task.isCancelled, await iterator.next() != nil {
                guard
                    let (record, lines) = try await executions.progress(
                        of: id, visibility, after: lastSequence, includeDebug: false
                    )
                else { return }
                idlePolls = lines.isEmpty && record.status == lastStatus ? idlePolls + 1 : 0
                send(record, lines)
                if idlePolls >= pollsPerIdleEvent {
                    output.yield(.idle)
                    idlePolls = 0
                }
            }
        } catch {
            logger.warning(
                "A run's event feed stopped",
                metadata: [
                    "bifrost.execution.id": "\(id)", "error.message": "\(error)",
                ])
        }
    }

    /// Forgets the feed's watch; one left behind (the database was away) only costs notifications until the
    /// process's watches are cleared when it has gone.
    private func unwatch(_ watch: UUID) async {
        do {
            try await executions.unwatch(watch)
        } catch {
            logger.warning(
                "Could not forget a run's watcher",
                metadata: [
                    "bifrost.execution.id": "\(id)", "error.message": "\(error)",
                ])
        }
    }

    /// `wakeups` and a tick every `interval`, as one stream of wake-ups.
    private static func merge(_ wakeups: AsyncStream<Void>, every interval: Duration) -> AsyncStream<Void> {
        let (merged, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        // Both end when the merged stream terminates (its reader went away), through `onTermination`.
        let forwarder = Task {
            for await _ in wakeups { wake.yield() }
        }
        let ticker = Task {
            while (try? await Task.sleep(for: interval)) != nil { wake.yield() }
        }
        wake.onTermination = { _ in
            forwarder.cancel()
            ticker.cancel()
        }
        return merged
    }
}
