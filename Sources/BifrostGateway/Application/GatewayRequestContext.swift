public import Hummingbird
import NIOCore

/// The per-request context of the gateway's router.
///
/// Carries the logger (with the request id); later, the caller's principal and scope.
public struct GatewayRequestContext: RequestContext, ClientAddressProviding {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address (the TCP peer; no proxy header is trusted).
    public let clientAddress: String?

    /// `BodyLimitMiddleware` enforces the configured limit before any handler decodes; this only caps what
    /// Hummingbird's own decoders would read.
    public var maxUploadSize: Int { 1 << 30 }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }
}
