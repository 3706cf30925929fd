public import BifrostStore

extension GatewayConfiguration {
    /// Which database to use.
    public struct Database: Sendable {
        /// An external server; nil means the embedded development cluster under `dataDirectory`.
        public var url: DatabaseURL?
        /// The same database reached without a transaction-pooling proxy (PgBouncer in transaction mode), for the
        /// connections that must be a session of their own: the notification listener's `LISTEN` and the
        /// migrator's advisory lock. Nil: they use `url`'s pool.
        public var directURL: DatabaseURL?
        /// The pool's size: the most connections this replica opens to `url` (the listener holds one of them
        /// unless `directURL` is set). N replicas open up to N × (`maxConnections` + 2 with `directURL`).
        public var maxConnections: Int = 20
        /// Connections kept open while unused; by default all of them (a pool of fixed size). Connections beyond
        /// it open on demand and close after a minute unused, and every return of one to the pool arms that
        /// minute's timer: measured with `Benchmarks/memory.sh` (8 connections), with 4 kept open the process grew
        /// from 55 to 92 MB in 20 s of database-bound requests and served `GET /health/ready` at 6,500–8,200
        /// req/s; with all 20 kept open it stayed at 57 MB and served 10,900–11,400.
        public var minConnections: Int = 20
        /// How often an unused connection is checked with `SELECT 1`; nil (the default): never. Turn it on where a
        /// firewall or NAT gateway drops quiet connections. Off by default because the check's timer is re-armed
        /// every time a connection goes back to the pool: measured, 10–14 % of the gateway's throughput on
        /// database-bound requests (`GET /health/ready` 9,400 against 10,900 req/s) and memory that grows with
        /// the request rate.
        public var keepAlive: Duration?
        /// Folder with the PostgreSQL server programs, for the embedded cluster.
        public var embeddedBinDirectory: String?
    }
}

extension GatewayConfiguration.Database {
    /// Reads the `database.` keys (`values` scoped to `database`).
    package init(reading values: ConfigValues) throws {
        if let text = try values.string("url", isSecret: true) {
            do {
                url = try DatabaseURL(parsing: text)
            } catch {
                throw values.error("url", value: text, expected: "a postgres:// URL (\(error))", isSecret: true)
            }
        }
        if let text = try values.string("directUrl", isSecret: true) {
            do {
                directURL = try DatabaseURL(parsing: text)
            } catch {
                throw values.error("directUrl", value: text, expected: "a postgres:// URL (\(error))", isSecret: true)
            }
        }
        maxConnections = try values.integer("maxConnections", in: 1...1_000) ?? maxConnections
        minConnections = try values.integer("minConnections", in: 0...maxConnections) ?? maxConnections
        if let seconds = try values.integer("keepAlive", in: 0...3_600) {
            keepAlive = seconds > 0 ? .seconds(seconds) : nil
        }
        embeddedBinDirectory = try values.string("embedded.binDirectory")
    }
}
