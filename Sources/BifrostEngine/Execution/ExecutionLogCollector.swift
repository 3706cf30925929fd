public import BifrostStore
import Foundation
public import Logging
import Synchronization

/// Collects the lines a run logs, in order, to be stored with the run when it ends (and, while a recorded run
/// goes on, by `LiveLog`).
///
/// The workflow's `context.logger` writes here; each line is also passed on to the gateway's own log (with the
/// execution id as metadata) so operators see runs as they happen. Lines beyond `capacity` are counted, not kept.
public final class ExecutionLogCollector: Sendable {
    private struct State {
        var lines: [ExecutionLogLine] = []
        var dropped = 0
    }

    private let state = Mutex(State())
    let capacity: Int
    /// Secret values the run has touched, hidden from every line it logs.
    package let redactor = SecretRedactor()

    public init(capacity: Int = 10_000) { self.capacity = capacity }

    func append(level: Logger.Level, message: String) {
        state.withLock { state in
            guard state.lines.count < capacity else {
                state.dropped += 1
                return
            }
            state.lines.append(
                ExecutionLogLine(
                    sequence: state.lines.count + 1, level: Self.name(of: level), message: message, loggedAt: Date())
            )
        }
    }

    /// Every line so far, with a last line saying how many were dropped, if any were.
    public var lines: [ExecutionLogLine] {
        state.withLock { state in
            guard state.dropped > 0 else { return state.lines }
            return state.lines + [
                ExecutionLogLine(
                    sequence: state.lines.count + 1, level: "warning",
                    message: "\(state.dropped) further log lines were dropped (limit \(capacity))", loggedAt: Date()
                )
            ]
        }
    }

    /// The lines kept after line `sequence` (not the count of dropped lines, which only `lines` adds at the end).
    func lines(after sequence: Int) -> ArraySlice<ExecutionLogLine> {
        state.withLock { state in state.lines[min(sequence, state.lines.count)...] }
    }

    /// The four levels of the seed (`debug`, `info`, `warning`, `error`); swift-log's others map onto them.
    static func name(of level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warning"
        case .error, .critical: "error"
        }
    }

    /// A logger that records into this collector and forwards to `upstream`, adding `metadata` to each line
    /// it forwards (added per line, not set on `upstream`: setting metadata on some handlers costs more than a
    /// quick run).
    public func logger(forwardingTo upstream: Logger, metadata: @escaping @Sendable () -> Logger.Metadata) -> Logger {
        var logger = Logger(label: upstream.label) { _ in
            CollectingLogHandler(collector: self, upstream: upstream, upstreamMetadata: metadata)
        }
        logger.logLevel = .debug
        return logger
    }
}

/// The `LogHandler` behind a run's logger.
struct CollectingLogHandler: LogHandler {
    let collector: ExecutionLogCollector
    let upstream: Logger
    let upstreamMetadata: @Sendable () -> Logger.Metadata
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        // Secret values the run has read are hidden before the line is kept or forwarded.
        let message = collector.redactor.redact(event.message.description)
        collector.append(level: event.level, message: message)
        guard upstream.logLevel <= event.level else { return }
        // The run's own metadata may carry what it read too: hidden the same way as the message.
        let ownMetadata = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let metadata = upstreamMetadata().merging(collector.redactor.redact(ownMetadata)) { $1 }
        upstream.log(
            level: event.level, "\(message)", metadata: metadata, source: event.source,
            file: event.file, function: event.function, line: event.line)
    }
}
