public import Foundation

/// Where the engine records runs: their start, their live log lines and their outcome.
/// `PostgresExecutionRepository` is the implementation; the engine depends only on this.
public protocol ExecutionRepository: Sendable {
    /// Records a synchronous run as `Running`, owned by process `owner`.
    func start(_ record: ExecutionRecord, owner: UUID) async throws
    /// Records a run's outcome and its remaining log lines.
    func finish(_ record: ExecutionRecord, logs: [ExecutionLogLine]) async throws
    /// Appends log lines of a run still going on.
    func appendLogs(of id: UUID, _ lines: [ExecutionLogLine]) async throws
}

extension PostgresExecutionRepository: ExecutionRepository {}
