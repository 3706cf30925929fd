public import Hummingbird
public import HummingbirdWebSocket
import NIOCore

/// The per-request context of the gateway's routers.
///
/// Carries the logger (with the request id), the caller's identity once authenticated, and what a WebSocket
/// upgrade needs.
public struct GatewayRequestContext: RequestContext, ClientAddressProviding, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address (the TCP peer; no proxy header is trusted).
    public let clientAddress: String?
    /// Who is calling, set by `AuthenticationMiddleware` (also `RequestIdentity.current` while the request is
    /// handled; kept here for a WebSocket, whose handler runs after the request).
    var identity: RequestIdentity?
    public let webSocket = WebSocketHandlerReference<Self>()

    /// `BodyLimitMiddleware` enforces the configured limit before any handler decodes; this only caps what
    /// Hummingbird's own decoders would read.
    public var maxUploadSize: Int { 1 << 30 }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }
}
