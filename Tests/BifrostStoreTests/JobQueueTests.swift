import Bifrost
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// The executions table as a job queue, on a real PostgreSQL: claims never overlap, dead workers' jobs are
/// recovered as declared, pending jobs can be cancelled.
@Suite struct JobQueueTests {
    private func withQueue(
        _ body:
            @Sendable (PostgresJobQueue, PostgresExecutionRepository, PostgresInstanceRepository, PostgresClient)
            async throws ->
            Void
    ) async throws {
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { client in
                try await body(
                    PostgresJobQueue(client: client, logger: TestPostgres.logger),
                    PostgresExecutionRepository(client: client, logger: TestPostgres.logger),
                    PostgresInstanceRepository(client: client, logger: TestPostgres.logger), client
                )
            }
        }
    }

    private func job(_ index: Int = 0) -> ExecutionRecord {
        ExecutionRecord(
            id: UUID(), workflow: "bulk_import", organizationID: nil, status: .pending, input: ["index": .int(index)],
            startedBy: ExecutionActor(label: "test"), createdAt: Date()
        )
    }

    @Test func anOrganisationsLimitHoldsAcrossReplicasClaimingAtOnce() async throws {
        try await withQueue { queue, _, _, client in
            let organization = UUID()
            try await client.query(
                "INSERT INTO organizations (id, name) VALUES (\(organization), 'Contoso')", logger: TestPostgres.logger)
            for index in 0..<20 {
                var record = job(index)
                record.organizationID = organization
                try await queue.enqueue(record)
            }
            // Three replicas, each running nothing of the organisation yet, claim at once with a limit of 3 runs
            // per organisation: together they may start only 3.
            let limit = OrganizationCapacity(remaining: [:], default: 3)
            let claimed = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await queue.claim(owner: UUID(), limit: 10, capacity: limit).count }
                }
                return try await group.reduce(0, +)
            }
            #expect(claimed == 3)
            #expect(try await queue.claim(owner: UUID(), limit: 10, capacity: limit).isEmpty)
            // Global-scope runs are not held back by the organisation's.
            try await queue.enqueue(job(99))
            #expect(try await queue.claim(owner: UUID(), limit: 10, capacity: limit).count == 1)
        }
    }

    @Test func twoWorkersClaimingAtOnceGetEveryJobExactlyOnce() async throws {
        try await withQueue { queue, _, _, _ in
            var enqueued: Set<UUID> = []
            for index in 0..<300 {
                let record = job(index)
                try await queue.enqueue(record)
                enqueued.insert(record.id)
            }
            let claims = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        let owner = UUID()
                        var mine: [UUID] = []
                        while true {
                            let batch = try await queue.claim(owner: owner, limit: 7)
                            if batch.isEmpty { return mine }
                            #expect(batch.allSatisfy { $0.record.status == .running && $0.attempt == 1 })
                            mine += batch.map(\.record.id)
                        }
                    }
                }
                var all: [[UUID]] = []
                for try await claimed in group { all.append(claimed) }
                return all
            }
            let everything = claims.flatMap { $0 }
            #expect(everything.count == 300)
            #expect(Set(everything) == enqueued)
            #expect(try await queue.claim(owner: UUID(), limit: 10).isEmpty)
        }
    }

    @Test func aClaimedJobKeepsItsInputAndCaller() async throws {
        try await withQueue { queue, _, _, _ in
            let record = job(42)
            try await queue.enqueue(record)
            let claimed = try #require(try await queue.claim(owner: UUID(), limit: 5).first)
            #expect(claimed.record.id == record.id)
            #expect(claimed.record.input == ["index": 42])
            #expect(claimed.record.startedBy == record.startedBy)
            #expect(claimed.record.startedAt != nil)
        }
    }

    @Test func jobsOfADeadWorkerAreRetriedIfDeclaredElseFailed() async throws {
        try await withQueue { queue, executions, instances, client in
            let (once, retried) = (job(1), job(2))
            try await queue.enqueue(once, maximumAttempts: 1)
            try await queue.enqueue(retried, maximumAttempts: 3)
            let dead = UUID()
            try await instances.heartbeat(dead)
            #expect(try await queue.claim(owner: dead, limit: 10).count == 2)
            try await client.query(
                "UPDATE gateway_instances SET heartbeat_at = now() - interval '5 minutes' WHERE id = \(dead)")
            #expect(try await instances.closeAbandonedRuns(staleAfter: .seconds(60), reason: "worker lost") == 2)

            let everything = ExecutionVisibility(.everything)
            let failed = try #require(try await executions.get(once.id, everything))
            #expect(failed.status == .failed)
            #expect(failed.error == "worker lost")
            let again = try #require(try await executions.get(retried.id, everything))
            #expect(again.status == .pending)
            // Due only after its backoff: not claimable at once.
            #expect(try await queue.claim(owner: UUID(), limit: 10).isEmpty)
            try await client.query("UPDATE executions SET run_after = now() WHERE id = \(retried.id)")
            let second = try #require(try await queue.claim(owner: UUID(), limit: 10).first)
            #expect(second.record.id == retried.id)
            #expect(second.attempt == 2)
        }
    }

    @Test func runsALiveProcessHoldsButNoLongerRunsAreRecoveredAfterTheGrace() async throws {
        try await withQueue { queue, executions, instances, client in
            let (lost, running, fresh) = (job(1), job(2), job(3))
            for record in [lost, running, fresh] { try await queue.enqueue(record) }
            let live = UUID()
            try await instances.heartbeat(live)
            #expect(try await queue.claim(owner: live, limit: 10).count == 3)
            try await client.query(
                "UPDATE executions SET started_at = now() - interval '5 minutes' WHERE id IN (\(lost.id), \(running.id))"
            )
            let recovered = try await instances.closeOrphanedRuns(
                owner: live, running: [running.id], graceAfterStart: .seconds(60), reason: "outcome lost"
            )
            #expect(recovered == 1)
            let everything = ExecutionVisibility(.everything)
            #expect(try await executions.get(lost.id, everything)?.error == "outcome lost")
            #expect(try await executions.get(running.id, everything)?.status == .running)
            #expect(try await executions.get(fresh.id, everything)?.status == .running)
            // A live process's runs are never taken by the clean-up of dead ones.
            #expect(try await instances.closeAbandonedRuns(staleAfter: .seconds(60), reason: "worker lost") == 0)
        }
    }

    @Test func aSynchronousRunOfADeadProcessIsNeverQueuedAgain() async throws {
        try await withQueue { queue, executions, instances, _ in
            var record = job()
            record.status = .running
            record.startedAt = Date()
            try await executions.start(record, owner: UUID())
            #expect(try await instances.closeAbandonedRuns(staleAfter: .seconds(60), reason: "worker lost") == 1)
            #expect(try await executions.get(record.id, ExecutionVisibility(.everything))?.status == .failed)
            #expect(try await queue.claim(owner: UUID(), limit: 10).isEmpty)
        }
    }

    @Test func onlyAPendingJobCanBeCancelledAndItIsThenNeverClaimed() async throws {
        try await withQueue { queue, executions, _, _ in
            let (waiting, started) = (job(1), job(2))
            try await queue.enqueue(started)
            _ = try await queue.claim(owner: UUID(), limit: 1)
            try await queue.enqueue(waiting)
            #expect(try await queue.cancelPending(waiting.id))
            #expect(try await !queue.cancelPending(started.id))
            #expect(try await !queue.cancelPending(waiting.id))
            #expect(try await executions.get(waiting.id, ExecutionVisibility(.everything))?.status == .cancelled)
            #expect(try await queue.claim(owner: UUID(), limit: 10).isEmpty)
        }
    }

    /// Queueing a job wakes the queueing process's own workers in memory, and notifies `ExecutionChannels.jobs`
    /// only once another process is registered (a marker notified last ends the collection).
    @Test func enqueueingNotifiesTheJobsChannelOnlyWhenAnotherProcessIsRegistered() async throws {
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { client in
                let instances = PostgresInstanceRepository(client: client, logger: TestPostgres.logger)
                let (this, other) = (UUID(), UUID())
                try await instances.heartbeat(this)
                let queue = PostgresJobQueue(client: client, instance: this, logger: TestPostgres.logger)
                let woken = Mutex(0)
                queue.onEnqueue { woken.withLock { $0 += 1 } }
                let notified = try await withThrowingTaskGroup(of: Int.self) { group in
                    let listening = AsyncStream<Void>.makeStream()
                    group.addTask {
                        try await client.withConnection { connection in
                            let notifications = try await connection.listen(ExecutionChannels.jobs)
                            listening.continuation.yield()
                            var count = 0
                            for try await notification in notifications {
                                if notification.payload == "end" { break }
                                count += 1
                            }
                            return count
                        }
                    }
                    for await _ in listening.stream { break }
                    try await queue.enqueue(job(1))
                    try await instances.heartbeat(other)
                    try await queue.enqueue(job(2))
                    try await client.query(
                        "SELECT pg_notify(\(ExecutionChannels.jobs), 'end')", logger: TestPostgres.logger)
                    return try await group.next() ?? 0
                }
                #expect(notified == 1)
                #expect(woken.withLock { $0 } == 2)
            }
        }
    }

    /// Claiming and finishing queued runs notify `ExecutionChannels.events` only for the runs a feed watches: a
    /// run that was never watched, or whose feed has gone, costs no notification. A marker notified last ends the
    /// collection (one session's notifications arrive in commit order).
    @Test func claimsAndFinishesNotifyOnlyWatchedRuns() async throws {
        try await withQueue { queue, executions, _, client in
            let (watched, unwatched, forgotten) = (job(1), job(2), job(3))
            for record in [watched, unwatched, forgotten] { try await queue.enqueue(record) }
            let instance = UUID()
            let (keep, drop) = (UUID(), UUID())
            let everything = ExecutionVisibility(.everything)
            let seen = try #require(
                try await executions.watch(
                    watched.id, everything, as: keep, instance: instance, after: 0, includeDebug: false
                ))
            #expect(seen.record.status == .pending)
            _ = try await executions.watch(
                forgotten.id, everything, as: drop, instance: instance, after: 0, includeDebug: false)
            try await executions.unwatch(drop)
            // A run the visibility does not show is neither returned nor watched.
            let elsewhere = ExecutionVisibility(.only(.organization(UUID())))
            #expect(
                try await executions.watch(
                    unwatched.id, elsewhere, as: UUID(), instance: instance, after: 0, includeDebug: false) == nil)

            let payloads = try await withThrowingTaskGroup(of: [String].self) { group in
                let listening = AsyncStream<Void>.makeStream()
                group.addTask {
                    try await client.withConnection { connection in
                        let notifications = try await connection.listen(ExecutionChannels.events)
                        listening.continuation.yield()
                        var payloads: [String] = []
                        for try await notification in notifications {
                            if notification.payload == "end" { break }
                            payloads.append(notification.payload)
                        }
                        return payloads
                    }
                }
                for await _ in listening.stream { break }
                let claimed = try await queue.claim(owner: instance, limit: 10)
                #expect(claimed.count == 3)
                for job in claimed {
                    var record = job.record
                    record.status = .success
                    record.finishedAt = Date()
                    try await executions.finish(record, logs: [])
                }
                try await client.query(
                    "SELECT pg_notify(\(ExecutionChannels.events), 'end')", logger: TestPostgres.logger)
                return try await group.next() ?? []
            }
            let notified = payloads.flatMap { $0.split(separator: ",").map(String.init) }
            let id = watched.id.uuidString.lowercased()
            // Once claimed (Running), once finished.
            #expect(notified == [id, id])
        }
    }

    /// The watches of a process that has gone are cleared with it; a live process's stay.
    @Test func watchesOfADepartedProcessAreCleared() async throws {
        try await withQueue { queue, executions, instances, client in
            let record = job()
            try await queue.enqueue(record)
            let (live, departed) = (UUID(), UUID())
            try await instances.heartbeat(live)
            for instance in [live, departed] {
                _ = try await executions.watch(
                    record.id, ExecutionVisibility(.everything), as: UUID(), instance: instance, after: 0,
                    includeDebug: false
                )
            }
            try await instances.closeAbandonedRuns(staleAfter: .seconds(60), reason: "worker lost")
            var left: [UUID] = []
            for try await instance in try await client.query(
                "SELECT instance_id FROM execution_watches", logger: TestPostgres.logger
            )
            .decode(UUID.self) { left.append(instance) }
            #expect(left == [live])
        }
    }

    /// A claim planned while the queue was empty (a new installation; or a vacuum of a quiet one) must still read
    /// it through its index once it holds thousands of jobs: a cached plan that scanned the table cost every
    /// claim of a burst a pass over all of it. Checked with the transaction's own scan counts.
    @Test func aClaimPlannedOnAnEmptyQueueStillUsesTheIndexOnceItIsFull() async throws {
        try await withQueue { _, _, _, client in
            try await client.withConnection { connection in
                let owner = UUID()
                try await connection.query("ANALYZE executions", logger: TestPostgres.logger)
                // Five custom plans, then PL/pgSQL settles on its generic plan, all on an empty table.
                for _ in 0..<7 {
                    try await connection.query(
                        "SELECT count(*) FROM bifrost_claim_jobs('{}'::jsonb, 100, 8, 8, \(owner))",
                        logger: TestPostgres.logger
                    )
                }
                try await connection.query(
                    """
                    INSERT INTO executions (id, workflow, status, input, started_by, created_at)
                    SELECT gen_random_uuid(), 'bulk_import', 'Pending', '{}', 'test', now() - make_interval(secs => n)
                    FROM generate_series(1, 3000) AS n
                    """,
                    logger: TestPostgres.logger
                )
                try await connection.query("BEGIN", logger: TestPostgres.logger)
                let before = try await scans(connection)
                var claimed = 0
                let rows = try await connection.query(
                    "SELECT count(*) FROM bifrost_claim_jobs('{}'::jsonb, 100, 8, 8, \(owner))",
                    logger: TestPostgres.logger
                )
                for try await count in rows.decode(Int.self) { claimed = count }
                let after = try await scans(connection)
                try await connection.query("COMMIT", logger: TestPostgres.logger)
                #expect(claimed == 8)
                #expect(after.sequential == before.sequential)
                #expect(after.indexed > before.indexed)
            }
        }
    }

    /// Scans of `executions` this backend has counted and not yet reported.
    private func scans(_ connection: PostgresConnection) async throws -> (sequential: Int, indexed: Int) {
        let rows = try await connection.query(
            "SELECT seq_scan, coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables WHERE relname = 'executions'",
            logger: TestPostgres.logger
        )
        for try await (sequential, indexed) in rows.decode((Int, Int).self) { return (sequential, indexed) }
        return (0, 0)
    }
}
