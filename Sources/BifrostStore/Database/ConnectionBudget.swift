public import Logging
public import PostgresNIO

/// How many connections the database accepts and how many replicas of one size fit in them: what `bifrost serve`
/// reports at start-up, so that a fifth replica exhausting `max_connections` is foreseen rather than discovered.
public struct ConnectionBudget: Sendable, Hashable {
    /// The server's `max_connections`.
    public var maximum: Int
    /// Connections kept for superusers and roles with `pg_use_reserved_connections`.
    public var reserved: Int
    /// Connections open now (every client, this replica's included).
    public var inUse: Int
    /// The most connections one replica opens.
    public var perReplica: Int

    public init(maximum: Int, reserved: Int, inUse: Int, perReplica: Int) {
        self.maximum = maximum
        self.reserved = reserved
        self.inUse = inUse
        self.perReplica = perReplica
    }

    /// How many replicas of this size the database has room for.
    public var replicasThatFit: Int { max(0, maximum - reserved) / max(1, perReplica) }

    /// Reads the server's limits. - Parameter perReplica: the most connections one replica opens.
    public static func read(from client: PostgresClient, perReplica: Int, logger: Logger) async throws
        -> ConnectionBudget
    {
        let rows = try await client.tracedQuery(
            """
            SELECT current_setting('max_connections')::int,
                current_setting('superuser_reserved_connections')::int
                    + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0),
                (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend')
            """,
            logger: logger
        )
        for try await (maximum, reserved, inUse) in rows.decode((Int, Int, Int).self) {
            return ConnectionBudget(maximum: maximum, reserved: reserved, inUse: inUse, perReplica: perReplica)
        }
        return ConnectionBudget(maximum: 0, reserved: 0, inUse: 0, perReplica: perReplica)
    }

    /// Logs the budget: a notice, or a warning when fewer than two replicas of this size fit.
    public func log(to logger: Logger) {
        let metadata: Logger.Metadata = [
            "bifrost.db.maxConnections": "\(maximum)", "bifrost.db.reservedConnections": "\(reserved)",
            "bifrost.db.connectionsInUse": "\(inUse)", "bifrost.db.connectionsPerReplica": "\(perReplica)",
            "bifrost.db.replicasThatFit": "\(replicasThatFit)",
        ]
        let message =
            "Database connection budget: each replica opens up to \(perReplica) of max_connections \(maximum) "
            + "(\(reserved) reserved), so \(replicasThatFit) replica(s) of this size fit"
        if replicasThatFit < 2 {
            logger.warning(
                "\(message); lower database.maxConnections or raise max_connections to run more",
                metadata: metadata)
        } else {
            logger.notice("\(message)", metadata: metadata)
        }
    }
}
