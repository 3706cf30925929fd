import BifrostAPI
import BifrostEngine
import BifrostStore
import Foundation
import Logging
import OpenAPIRuntime

/// The Server-Sent Events of one run's progress (`GET /api/executions/{id}/stream`).
///
/// The database is the truth: on each wake-up (a notification from any replica, through `ExecutionWatchers`, or
/// every `pollInterval` in case one was missed) the stream reads the run and its new log lines and sends what
/// changed: `log` events (id = line sequence) then a `status` event when the status changed. It ends after the
/// final status. The run is read with the caller's visibility each time.
struct ExecutionEventStream: Sendable {
    let id: UUID
    let visibility: ExecutionVisibility
    let executions: PostgresExecutionRepository
    let logger: Logger
    var pollInterval: Duration = .seconds(5)
    /// Idle polls between two keep-alive comments (which also reveal a client that went away).
    var pollsPerKeepAlive = 3

    /// The stream's bytes, starting from `first` (read after `wakeups` began); the producer stops when the client
    /// goes away.
    func body(first: ExecutionProgressSnapshot, after sequence: Int, wakeups: AsyncStream<Void>) -> HTTPBody {
        let (bytes, output) = AsyncStream.makeStream(of: ArraySlice<UInt8>.self)
        let producer = Task {
            await produce(first: first, after: sequence, wakeups: wakeups, into: output)
            output.finish()
        }
        output.onTermination = { _ in producer.cancel() }
        return HTTPBody(bytes, length: .unknown, iterationBehavior: .single)
    }

    private func produce(
        first: ExecutionProgressSnapshot, after sequence: Int, wakeups: AsyncStream<Void>,
        into output: AsyncStream<ArraySlice<UInt8>>.Continuation
    ) async {
        var lastSequence = sequence
        var lastStatus: ExecutionStatus?
        func send(_ snapshot: ExecutionProgressSnapshot) throws {
            // The state as it is comes first; then lines come before the status change they lead to.
            if lastStatus == nil, !snapshot.record.status.isFinal { try sendStatus(snapshot.record) }
            for line in snapshot.lines {
                output.yield(Self.event("log", id: line.sequence, data: try Self.json(line)))
                lastSequence = line.sequence
            }
            if snapshot.record.status != lastStatus { try sendStatus(snapshot.record) }
        }
        func sendStatus(_ record: ExecutionRecord) throws {
            output.yield(Self.event("status", id: nil, data: try Self.json(Components.Schemas.Execution(record))))
            lastStatus = record.status
        }

        let ticks = Self.merge(wakeups, every: pollInterval)
        var idlePolls = 0
        do {
            try send(first)
            var iterator = ticks.makeAsyncIterator()
            while lastStatus?.isFinal != true, !Task.isCancelled, await iterator.next() != nil {
                guard let snapshot = try await executions.progress(
                    of: id, visibility, after: lastSequence, includeDebug: false
                ) else { return }
                let changed = !snapshot.lines.isEmpty || snapshot.record.status != lastStatus
                try send(snapshot)
                idlePolls = changed ? 0 : idlePolls + 1
                if idlePolls >= pollsPerKeepAlive {
                    output.yield(ArraySlice(": keep-alive\n\n".utf8))
                    idlePolls = 0
                }
            }
        } catch {
            logger.warning("An execution stream stopped", metadata: [
                "bifrost.execution.id": "\(id)", "error.message": "\(error)",
            ])
        }
    }

    /// `wakeups` and a tick every `interval`, as one stream of wake-ups.
    private static func merge(_ wakeups: AsyncStream<Void>, every interval: Duration) -> AsyncStream<Void> {
        let (merged, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
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

    private static func event(_ name: String, id: Int?, data: String) -> ArraySlice<UInt8> {
        var text = id.map { "id: \($0)\n" } ?? ""
        text += "event: \(name)\ndata: \(data)\n\n"
        return ArraySlice(text.utf8)
    }

    private static func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private static func json(_ line: ExecutionLogLine) throws -> String {
        try json(Components.Schemas.ExecutionLogLine(
            sequence: line.sequence, level: .init(rawValue: line.level) ?? .info, message: line.message,
            timestamp: line.loggedAt
        ))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// A run and its log lines after some sequence, as `PostgresExecutionRepository.progress` reads them.
typealias ExecutionProgressSnapshot = (record: ExecutionRecord, lines: [ExecutionLogLine])
