import BifrostStore
import BifrostTestSupport
import Foundation
import Logging
import NIOHTTP1
import PostgresNIO
import Synchronization
import Testing

/// Several real `bifrost serve` processes on one PostgreSQL, each with its own port and data folder (nothing
/// shared but the database and the master key), and a client that spreads requests over the ones in rotation,
/// as a load balancer would.
final class ReplicaSet: Sendable {
    /// One replica: its process, address and the instance id it records on the runs it owns.
    struct Replica: Sendable {
        let process: ServerProcess
        let base: String
        let instance: UUID
    }

    static let adminEmail = "boot@msp.example"
    static let adminPassword = "bootstrap password for replicas"

    let database: PostgresClient
    private let folder: URL
    private let environment: [String: String]
    /// By slot; nil while a slot's replica is out of rotation.
    private let slots: Mutex<[Replica?]>
    private let turn = Atomic<Int>(0)

    private init(database: PostgresClient, folder: URL, environment: [String: String], count: Int) {
        self.database = database
        self.folder = folder
        self.environment = environment
        self.slots = Mutex(Array(repeating: nil, count: count))
    }

    /// Starts `count` replicas one after the other on a fresh database, runs `body`, and stops those still running
    /// with SIGTERM, expecting each to exit cleanly.
    static func with(
        count: Int = 3, environment extra: [String: String] = [:], _ body: (ReplicaSet) async throws -> Void
    ) async throws {
        let policies = try PolicyFolder(rateLimits: PolicyFolder.generousLimits)
        defer { policies.remove() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bifrost-replicas-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestPostgres.withDatabase(migrated: true) { url in
            try await TestPostgres.withClient(url) { database in
                let environment = [
                    "BIFROST_DATABASE_URL": url.urlStringWithPassword, "BIFROST_POLICIES_DIRECTORY": policies.path,
                    "BIFROST_BOOTSTRAP_ADMIN_EMAIL": adminEmail, "BIFROST_BOOTSTRAP_ADMIN_PASSWORD": adminPassword,
                    "BIFROST_DATABASE_MAX_CONNECTIONS": "6", "BIFROST_LOG_LEVEL": "notice",
                ].merging(extra) { $1 }
                let set = ReplicaSet(database: database, folder: folder, environment: environment, count: count)
                for slot in 0..<count { try await set.start(slot) }
                do {
                    try await body(set)
                } catch {
                    for replica in set.live { replica.process.signal(SIGKILL) }
                    throw error
                }
                for slot in 0..<count {
                    guard let replica = set.takeOut(slot) else { continue }
                    replica.process.signal(SIGTERM)
                    #expect(await replica.process.waitForExit(within: .seconds(90)) == 0, "\(replica.process.output)")
                }
            }
        }
    }

    /// The replicas in rotation.
    var live: [Replica] { slots.withLock { $0.compactMap { $0 } } }

    /// The replica of `slot`, if it is in rotation.
    func replica(_ slot: Int) -> Replica? { slots.withLock { $0[slot] } }

    /// The next replica in rotation, round robin.
    func next() -> Replica? {
        let live = self.live
        guard !live.isEmpty else { return nil }
        return live[turn.add(1, ordering: .relaxed).newValue % live.count]
    }

    /// Starts a replica in `slot` (its own data folder) and puts it in rotation once it is ready; its instance id
    /// is the one new row of `gateway_instances` (replicas start one at a time).
    func start(_ slot: Int) async throws {
        let known = Set(try await instances())
        let data = folder.appendingPathComponent("replica-\(slot)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let (process, port) = try await ServerProcess.serving(
            arguments: ["serve"], workingDirectory: data,
            environment: environment.merging(["BIFROST_DATA_DIRECTORY": data.path]) { $1 }, within: .seconds(90))
        var instance: UUID?
        _ = try await eventually {
            instance = try await instances().first { !known.contains($0) }
            return instance != nil
        }
        let replica = Replica(
            process: process, base: "http://127.0.0.1:\(port)", instance: try #require(instance, "\(process.output)"))
        slots.withLock { $0[slot] = replica }
    }

    /// Takes `slot`'s replica out of rotation (as a load balancer is told before the replica is stopped).
    func takeOut(_ slot: Int) -> Replica? {
        slots.withLock { slots in
            defer { slots[slot] = nil }
            return slots[slot]
        }
    }

    /// The bootstrap admin's access token, signed in through `replica`.
    func adminToken(on replica: Replica) async throws -> String {
        let (status, body) = try await ServerProcess.postJSON(
            "\(replica.base)/auth/login", ["email": Self.adminEmail, "password": Self.adminPassword])
        return try #require(body["access_token"] as? String, "login answered \(status)")
    }

    /// Creates organisation `name` through `replica`. - Returns: its id.
    func organization(_ name: String, through replica: Replica, token: String) async throws -> String {
        let created = try await Self.send(
            .POST, replica.base + "/api/organizations", token: token, json: ["name": name])
        return try #require(created.body["id"] as? String, "\(created.body)")
    }

    /// Sends a request to `replica` on a connection of its own (closed after the answer), so that a replica's
    /// shutdown can only refuse a connection, never drop a request it had received.
    static func send(
        _ method: HTTPMethod, _ url: String, token: String, json body: [String: Any]? = nil,
        organization: String? = nil
    ) async throws -> (status: Int, body: [String: Any]) {
        var headers = ["Authorization": "Bearer \(token)", "Connection": "close"]
        if let organization { headers["X-Organization-Id"] = organization }
        return try await ServerProcess.send(method, url, json: body, headers: headers)
    }

    /// The ids of `gateway_instances`.
    private func instances() async throws -> [UUID] {
        let rows = try await database.query("SELECT id FROM gateway_instances", logger: TestPostgres.logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// `SELECT count(*)` of `sql`'s rows.
    func count(_ sql: String) async throws -> Int {
        let rows = try await database.query(PostgresQuery(unsafeSQL: sql), logger: TestPostgres.logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return -1
    }
}
