import Foundation
import NIOSSL
public import PostgresNIO

/// A PostgreSQL connection address in URL form: `postgres://user:password@host:port/database?sslmode=disable`.
///
/// Accepts the `postgres` and `postgresql` schemes. `sslmode` may be `disable`, `prefer` (the default) or
/// `require`. `description` never shows the password, so a `DatabaseURL` is safe to log.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    /// Host name or address of the server.
    public var host: String
    /// TCP port of the server.
    public var port: Int
    /// Role to log in as.
    public var username: String
    /// Password of that role, if any.
    public var password: String?
    /// Database to connect to.
    public var database: String
    /// How TLS is negotiated.
    public var tlsMode: TLSMode

    /// How the client negotiates TLS with the server.
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    /// Why a database URL was refused.
    public struct ParseError: Error, CustomStringConvertible {
        /// What is wrong with the URL; never contains the password.
        public var description: String
    }

    /// Creates an address from its parts.
    public init(host: String, port: Int, username: String, password: String?, database: String, tlsMode: TLSMode) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tlsMode = tlsMode
    }

    /// Parses a URL string.
    /// - Throws: `ParseError` naming the part that is wrong.
    public init(parsing string: String) throws {
        guard let components = URLComponents(string: string) else {
            throw ParseError(description: "not a URL")
        }
        guard let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql" else {
            throw ParseError(description: "the scheme must be postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ParseError(description: "the URL names no host")
        }
        // A host that needs percent-escapes is no name or address a client can connect to, and URLComponents
        // cannot write it back into `urlStringWithPassword`.
        guard components.percentEncodedHost == host else {
            throw ParseError(description: "the host must be a name or an IP address, without percent-escapes")
        }
        // URLComponents reads a port beyond `Int` as none: that must not become the default port.
        let port = components.port ?? 5432
        guard components.rangeOfPort == nil || components.port != nil, (1...65_535).contains(port) else {
            throw ParseError(description: "the port must be a number from 1 to 65535")
        }
        guard let user = components.user, !user.isEmpty else {
            throw ParseError(description: "the URL names no user")
        }
        // `user`, `password` and `path` come percent-decoded: decoding again would turn a literal `%41` into `A`.
        // The slashes are dropped as scalars: as `Character`s, a slash and a combining mark after it are one.
        let database = String(components.path.unicodeScalars.drop(while: { $0 == "/" }))
        var tlsMode = TLSMode.prefer
        for item in components.queryItems ?? [] where item.name == "sslmode" {
            guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                throw ParseError(description: "sslmode must be disable, prefer or require")
            }
            tlsMode = mode
        }
        self.init(
            host: host,
            port: port,
            username: user,
            password: components.password,
            database: database.isEmpty ? user : database,
            tlsMode: tlsMode
        )
    }

    /// The same server with another database name.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        let secret = password == nil ? "" : ":***"
        return "postgres://\(username)\(secret)@\(host):\(port)/\(database)?sslmode=\(tlsMode.rawValue)"
    }

    /// The URL with its password, for handing to a child process or a test; never log it.
    public var urlStringWithPassword: String {
        var components = URLComponents()
        components.scheme = "postgres"
        // The `user` setter leaves a `:` unescaped, which would end the user name there.
        components.percentEncodedUser = username.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed)
        components.password = password
        components.host = host
        components.port = port
        components.path = "/" + database
        components.queryItems = [URLQueryItem(name: "sslmode", value: tlsMode.rawValue)]
        return components.string ?? description
    }

    /// PostgresNIO configuration for a single connection to this address.
    /// - Throws: when the TLS context cannot be created.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch tlsMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls
        )
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// PostgresNIO client configuration for this address.
    /// - Parameters:
    ///   - minimumConnections: connections kept open even when unused (at most `maximumConnections`); the pool
    ///     opens more on demand and closes each after a minute unused. Every return of such an extra connection
    ///     to the pool arms that minute's timer (a task group and a sleeping task), so the connections a process
    ///     uses all the time should be kept open: the pool hands out the lowest-numbered free connection first.
    ///   - keepAlive: how often an unused connection is checked with `SELECT 1` (for firewalls and NAT gateways
    ///     that drop quiet connections); nil: never. Like the idle timeout, it arms a timer every time a connection
    ///     is returned to the pool, and a cancelled timer's memory is freed only when its time would have come
    ///     (swiftlang/swift#60441): with a 30-second check, measured, ~130 MB more at 7,000 statements a second.
    public func clientConfiguration(
        maximumConnections: Int = 20, minimumConnections: Int = 0, keepAlive: Duration? = nil
    ) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch tlsMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls
        )
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = min(minimumConnections, maximumConnections)
        configuration.options.keepAliveBehavior = keepAlive.map { .init(frequency: $0) }
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
