/// Stand-ins for the two SwiftNIO SSL types `DatabaseURL` names, so that it compiles without SwiftNIO and
/// BoringSSL. The harness never builds a connection configuration; these only have to type-check.
public struct TLSConfiguration: Sendable {
    /// A client configuration, as SwiftNIO SSL's factory of the same name makes.
    public static func makeClientConfiguration() -> TLSConfiguration { TLSConfiguration() }
}

/// A stand-in for SwiftNIO SSL's TLS context (see `TLSConfiguration`).
public final class NIOSSLContext: Sendable {
    public init(configuration: TLSConfiguration) throws {}
}
