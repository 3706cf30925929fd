public import Foundation

/// Where queued runs wait for a worker, and how they are claimed, handed back and cancelled.
/// `PostgresJobQueue` is the implementation; the engine and the job workers depend only on this.
public protocol JobQueue: Sendable {
    /// Calls `wake` whenever this process queues a job.
    func onEnqueue(_ wake: @escaping @Sendable () -> Void)
    /// Queues a run for the workers.
    func enqueue(_ record: ExecutionRecord, caller: JobCaller, maximumAttempts: Int) async throws
    /// Claims up to `limit` due jobs for process `owner`, within each organisation's `capacity`.
    func claim(owner: UUID, limit: Int, capacity: OrganizationCapacity) async throws -> [ClaimedJob]
    /// Hands claimed jobs back to the queue.
    func release(_ ids: [UUID], owner: UUID) async throws
    /// Cancels a job that no worker has claimed yet. - Returns: whether it was still waiting.
    func cancelPending(_ id: UUID) async throws -> Bool
    /// Cancels every waiting job of an organisation. - Returns: how many.
    func cancelPending(in organization: UUID) async throws -> Int
    /// Asks whichever process runs `id` to stop it.
    func requestCancellation(_ id: UUID) async throws
}

extension PostgresJobQueue: JobQueue {}
