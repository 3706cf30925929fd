public import NIOSSL

/// Stand-ins for the PostgresNIO configuration types `DatabaseURL` fills in, so that it compiles without
/// PostgresNIO and SwiftNIO. The harness never builds a configuration; these only have to type-check.
public enum PostgresConnection {
    /// A single connection's configuration, with the members `DatabaseURL` sets.
    public struct Configuration: Sendable {
        public enum TLS: Sendable {
            case disable
            case prefer(NIOSSLContext)
            case require(NIOSSLContext)
        }

        public struct Options: Sendable {
            public var connectTimeout = TimeAmount.seconds(10)
        }

        public var options = Options()

        public init(host: String, port: Int, username: String, password: String?, database: String?, tls: TLS) {}
    }
}

/// NIO's time amount, as the connection's options take it.
public struct TimeAmount: Sendable {
    public var nanoseconds: Int64

    public static func seconds(_ seconds: Int64) -> TimeAmount { TimeAmount(nanoseconds: seconds * 1_000_000_000) }
}

/// A stand-in for PostgresNIO's connection pool client (see `PostgresConnection`).
public enum PostgresClient {
    /// The pool's configuration, with the members `DatabaseURL` sets.
    public struct Configuration: Sendable {
        public enum TLS: Sendable {
            case disable
            case prefer(TLSConfiguration)
            case require(TLSConfiguration)
        }

        public struct KeepAliveBehavior: Sendable {
            public var frequency: Duration

            public init(frequency: Duration) { self.frequency = frequency }
        }

        public struct Options: Sendable {
            public var maximumConnections = 20
            public var minimumConnections = 0
            public var keepAliveBehavior: KeepAliveBehavior?
            public var connectTimeout = Duration.seconds(10)
        }

        public var options = Options()

        public init(host: String, port: Int, username: String, password: String?, database: String?, tls: TLS) {}
    }
}
