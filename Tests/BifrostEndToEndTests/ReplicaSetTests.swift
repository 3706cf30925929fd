import AsyncHTTPClient
import BifrostStore
import BifrostTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import PostgresNIO
import Synchronization
import Testing

/// Three real `bifrost serve` processes on one PostgreSQL behave as one gateway: credentials and their revocation,
/// queued runs, live streams and schedules cross replicas; a rolling restart under load loses and repeats nothing;
/// the runs of a replica killed with SIGKILL are recovered by the others.
@Suite(.serialized) struct ReplicaSetTests {
    @Test func threeReplicasShareCredentialsRunsStreamsAndSchedules() async throws {
        try await ReplicaSet.with(
            environment: ["BIFROST_TESTBED_EVERY_MINUTE": "1", "BIFROST_WORKFLOWS_WORKERS": "4"]
        ) { set in
            let (a, b, c) = (try #require(set.replica(0)), try #require(set.replica(1)), try #require(set.replica(2)))
            let admin = try await set.adminToken(on: a)

            // A token issued by A is accepted by B and C: the database holds one signing key for all of them.
            for replica in [b, c] {
                #expect(try await ReplicaSet.send(.GET, replica.base + "/auth/me", token: admin).status == 200)
            }
            var published: [[String]] = []
            for replica in [a, b, c] {
                let (_, jwks) = try await ServerProcess.send(.GET, replica.base + "/.well-known/jwks.json")
                published.append(((jwks["keys"] as? [[String: Any]]) ?? []).compactMap { $0["kid"] as? String })
            }
            #expect(published[0].count == 1 && published.allSatisfy { $0 == published[0] }, "\(published)")

            // A key and a user revoked through A are refused by B and C as soon as their listeners hear of it (a
            // NOTIFY sent with the change: milliseconds; a request in that window is still served).
            let organization = try await set.organization("Contoso", through: a, token: admin)
            let issued = try await ReplicaSet.send(
                .POST, a.base + "/api/api-keys", token: admin, json: ["name": "k", "role": "org_admin"],
                organization: organization)
            let key = try #require(issued.body["key"] as? String, "\(issued.body)")
            let keyID = try #require((issued.body["api_key"] as? [String: Any])?["id"] as? String)
            for replica in [b, c] {
                #expect(try await ReplicaSet.send(.GET, replica.base + "/auth/me", token: key).status == 200)
            }
            let revoked = try await ReplicaSet.send(
                .DELETE, a.base + "/api/api-keys/\(keyID)", token: admin, organization: organization)
            #expect(revoked.status == 204, "\(revoked.body)")
            let revokedAt = ContinuousClock.now
            for replica in [b, c] {
                #expect(
                    try await eventually(within: .seconds(10), every: .milliseconds(5)) {
                        try await ReplicaSet.send(.GET, replica.base + "/auth/me", token: key).status == 401
                    })
            }
            print("a revoked key was refused by both other replicas \(ContinuousClock.now - revokedAt) after the 204")
            let user = try await ReplicaSet.send(
                .POST, a.base + "/api/users", token: admin,
                json: ["email": "tech@contoso.example", "role": "org_member", "password": "technician's password"],
                organization: organization)
            let userID = try #require(user.body["id"] as? String, "\(user.body)")
            let (_, pair) = try await ServerProcess.postJSON(
                b.base + "/auth/login", ["email": "tech@contoso.example", "password": "technician's password"])
            let technician = try #require(pair["access_token"] as? String, "\(pair)")
            #expect(try await ReplicaSet.send(.GET, c.base + "/auth/me", token: technician).status == 200)
            let deactivated = try await ReplicaSet.send(
                .PATCH, a.base + "/api/users/\(userID)", token: admin, json: ["is_active": false],
                organization: organization)
            #expect(deactivated.status == 200, "\(deactivated.body)")
            for replica in [b, c] {
                #expect(
                    try await eventually(within: .seconds(10), every: .milliseconds(5)) {
                        try await ReplicaSet.send(.GET, replica.base + "/auth/me", token: technician).status == 401
                    })
            }

            // A signing key rotated through A: its next tokens are accepted by B and C at once, earlier ones too.
            let rotated = try await ReplicaSet.send(
                .POST, a.base + "/api/admin/keys/rotate", token: admin, json: ["kind": "signing_key"])
            #expect(rotated.status == 200, "\(rotated.body)")
            let fresh = try await set.adminToken(on: a)
            for replica in [b, c] {
                #expect(try await ReplicaSet.send(.GET, replica.base + "/auth/me", token: fresh).status == 200)
                #expect(try await ReplicaSet.send(.GET, replica.base + "/auth/me", token: admin).status == 200)
            }

            // 1,000 queued runs, enqueued across the three: each runs exactly once, on every replica.
            let accepted = try await Self.enqueue(
                1_000, seconds: 0.1, over: set, token: admin, organization: organization)
            #expect(accepted.count == 1_000)
            let finished = try await eventually(within: .seconds(240)) {
                try await set.count(
                    "SELECT count(*) FROM executions WHERE workflow = 'wait_in_background' AND finished_at IS NOT NULL")
                    == 1_000
            }
            #expect(finished)
            #expect(
                try await set.count(
                    "SELECT count(*) FROM executions WHERE workflow = 'wait_in_background' AND status = 'Success' AND attempts = 1"
                ) == 1_000)
            // A finished run keeps the instance that ran it.
            let rows = try await set.database.query(
                "SELECT DISTINCT owner_instance FROM executions WHERE workflow = 'wait_in_background'",
                logger: TestPostgres.logger)
            var owners: Set<UUID?> = []
            for try await owner in rows.decode(UUID?.self) { owners.insert(owner) }
            #expect(owners == Set([a, b, c].map(\.instance)), "runs ran on \(owners)")

            // A stream on each replica follows a run that another replica executes, to its final status.
            let followed = try #require(
                try await Self.enqueue(
                    1, seconds: 1, over: set, token: admin, organization: organization
                ).first)
            let streams = try await withThrowingTaskGroup(of: String.self) { group in
                for replica in [a, b, c] {
                    group.addTask {
                        try await Self.stream(followed, on: replica, token: admin, organization: organization)
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            for text in streams {
                #expect(text.contains("\"status\":\"Success\"") || text.contains("\"status\" : \"Success\""), "\(text)")
            }

            // The schedule fires once per minute across the three: one slot row, and its runs, per minute.
            #expect(
                try await eventually(within: .seconds(130)) {
                    try await set.count("SELECT count(*) FROM schedule_slots WHERE workflow = 'every_minute'") >= 1
                })
            #expect(
                try await set.count(
                    """
                    SELECT count(*) FROM schedule_slots AS s WHERE s.workflow = 'every_minute' AND s.runs <> (
                        SELECT count(*) FROM executions AS e WHERE e.workflow = s.workflow AND e.schedule_slot = s.slot_at)
                    """) == 0)
            #expect(
                try await set.count(
                    """
                    SELECT count(*) FROM (SELECT 1 FROM executions WHERE workflow = 'every_minute'
                        GROUP BY schedule_slot, organization_id HAVING count(*) > 1) AS repeated
                    """) == 0)
        }
    }

    @Test func aRollingRestartUnderLoadAnswersNo5xxAndLosesOrRepeatsNoRun() async throws {
        try await ReplicaSet.with(environment: ["BIFROST_WORKFLOWS_WORKERS": "4"]) { set in
            let first = try #require(set.replica(0))
            let admin = try await set.adminToken(on: first)
            let organization = try await set.organization("Contoso", through: first, token: admin)
            let load = Load()
            let clients = (0..<6).map { index in
                Task {
                    var round = 0
                    while !load.stopped.load(ordering: .relaxed) {
                        round += 1
                        guard let replica = set.next() else { continue }
                        let queued = (index + round) % 2 == 0
                        let path =
                            queued ? "/api/workflows/wait_in_background/execute" : "/api/workflows/quick_lookup/execute"
                        let body: [String: Any] = queued ? ["input": ["seconds": 0.05]] : ["input": ["id": "42"]]
                        do {
                            let answer = try await ReplicaSet.send(
                                .POST, replica.base + path, token: admin, json: body, organization: organization)
                            load.tally.withLock { $0.record(answer.status, queued: queued, body: answer.body) }
                        } catch {
                            // Refused before the replica read it (its listener closed): a client retries elsewhere.
                            load.tally.withLock { $0.refused += 1 }
                        }
                    }
                }
            }
            // Load before, during and after each replica in turn is taken out, stopped with SIGTERM and started
            // again (a new process on a new port).
            _ = try await eventually { load.tally.withLock { $0.answered } >= 50 }
            for slot in 0..<3 {
                let old = try #require(set.takeOut(slot))
                old.process.signal(SIGTERM)
                #expect(
                    await old.process.waitForExit(within: .seconds(120)) == 0, "\(old.process.output.suffix(3_000))")
                try await set.start(slot)
                let before = load.tally.withLock { $0.answered }
                _ = try await eventually { load.tally.withLock { $0.answered } >= before + 50 }
            }
            load.stopped.store(true, ordering: .relaxed)
            for client in clients { await client.value }

            let result = load.tally.withLock { $0 }
            #expect(result.unexpected.isEmpty, "answers other than 200 and 202: \(result.unexpected.prefix(5))")
            #expect(result.syncAnswered > 0 && result.queued.count > 0)
            // Every run answered is recorded, and no run was recorded that no client saw answered.
            #expect(
                try await set.count(
                    "SELECT count(*) FROM executions WHERE workflow = 'quick_lookup' AND status = 'Success'")
                    == result.syncAnswered)
            #expect(
                try await eventually(within: .seconds(120)) {
                    try await set.count(
                        "SELECT count(*) FROM executions WHERE workflow = 'wait_in_background' AND finished_at IS NOT NULL"
                    ) == result.queued.count
                })
            #expect(
                try await set.count(
                    "SELECT count(*) FROM executions WHERE workflow = 'wait_in_background' AND status = 'Success' AND attempts = 1"
                ) == result.queued.count)
            print(
                "rolling restart: \(result.syncAnswered) sync runs answered, \(result.queued.count) queued, \(result.refused) refused connections"
            )
        }
    }

    @Test func theRunsOfAReplicaKilledUnderLoadAreRecoveredByTheOthers() async throws {
        try await ReplicaSet.with(
            environment: ["BIFROST_WORKFLOWS_LEASE_TIMEOUT": "3", "BIFROST_WORKFLOWS_WORKERS": "4"]
        ) { set in
            let first = try #require(set.replica(0))
            let admin = try await set.adminToken(on: first)
            let organization = try await set.organization("Contoso", through: first, token: admin)
            let accepted = try await Self.enqueue(36, seconds: 5, over: set, token: admin, organization: organization)
            #expect(accepted.count == 36)
            // The victim is a replica running some of them now.
            var victimSlot: Int?
            _ = try await eventually {
                let rows = try await set.database.query(
                    "SELECT owner_instance FROM executions WHERE status = 'Running' AND owner_instance IS NOT NULL",
                    logger: TestPostgres.logger)
                var running: Set<UUID> = []
                for try await owner in rows.decode(UUID.self) { running.insert(owner) }
                victimSlot = (0..<3).first { set.replica($0).map { running.contains($0.instance) } ?? false }
                return victimSlot != nil
            }
            let slot = try #require(victimSlot)
            let victim = try #require(set.takeOut(slot))
            victim.process.signal(SIGKILL)
            #expect(await victim.process.waitForExit(within: .seconds(60)) != nil)

            // The survivors find its heartbeat silent for the lease (3 s) and run its runs again (they declare one
            // retry): every run ends Success, and only runs the victim held ran twice.
            #expect(
                try await eventually(within: .seconds(180)) {
                    try await set.count(
                        "SELECT count(*) FROM executions WHERE workflow = 'wait_in_background' AND finished_at IS NOT NULL"
                    ) == 36
                })
            #expect(
                try await set.count(
                    "SELECT count(*) FROM executions WHERE workflow = 'wait_in_background' AND status = 'Success'")
                    == 36)
            let retried = try await set.count(
                "SELECT count(*) FROM executions WHERE workflow = 'wait_in_background' AND attempts = 2")
            #expect(retried >= 1 && retried <= 4, "the victim ran at most its 4 workers' runs: \(retried) retried")
        }
    }

    /// Queues `count` runs of `wait_in_background` (`seconds` each) as `token` in `organization`, spread over the
    /// replicas in rotation, 16 at a time. - Returns: the accepted runs' ids.
    static func enqueue(
        _ count: Int, seconds: Double, over set: ReplicaSet, token: String, organization: String
    ) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            for lane in 0..<16 {
                group.addTask {
                    var ids: [String] = []
                    for _ in stride(from: lane, to: count, by: 16) {
                        let replica = try #require(set.next())
                        let answer = try await ReplicaSet.send(
                            .POST, replica.base + "/api/workflows/wait_in_background/execute", token: token,
                            json: ["input": ["seconds": seconds]], organization: organization)
                        #expect(answer.status == 202, "\(answer.body)")
                        if let id = answer.body["execution_id"] as? String { ids.append(id) }
                    }
                    return ids
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
    }

    /// The text of run `id`'s event stream on `replica`, read until the server ends it.
    static func stream(_ id: String, on replica: ReplicaSet.Replica, token: String, organization: String)
        async throws -> String
    {
        var request = HTTPClientRequest(url: "\(replica.base)/api/executions/\(id)/stream")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "X-Organization-Id", value: organization)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        var text = ""
        for try await chunk in response.body { text += String(buffer: chunk) }
        return text
    }
}

/// The load of a rolling restart: what it saw, and whether to stop.
final class Load: Sendable {
    let tally = Mutex(LoadTally())
    let stopped = Atomic<Bool>(false)
}

/// What the load of a rolling restart saw.
struct LoadTally: Sendable {
    var syncAnswered = 0
    var queued: [String] = []
    var refused = 0
    /// Statuses other than 200 (sync) and 202 (queued), with their bodies.
    var unexpected: [String] = []
    var answered: Int { syncAnswered + queued.count }

    mutating func record(_ status: Int, queued isQueued: Bool, body: [String: Any]) {
        switch (status, isQueued) {
        case (200, false): syncAnswered += 1
        case (202, true):
            if let id = body["execution_id"] as? String { queued.append(id) } else { unexpected.append("\(body)") }
        default: unexpected.append("\(status) \(body)")
        }
    }
}
