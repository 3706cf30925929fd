import BifrostRuntime
public import Hummingbird
public import HummingbirdWebSocket
import NIOCore

/// The per-request context of the gateway's routers.
///
/// Carries the logger (with the request id), the caller's identity once authenticated, and what a WebSocket
/// upgrade needs.
public struct GatewayRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer's IP address.
    public let peerAddress: String?
    /// The client's IP address: the peer, or what a trusted proxy says of it (`ClientAddressMiddleware`).
    public var clientAddress: String?
    /// Who is calling, set by `AuthenticationMiddleware` (also `RequestIdentity.current` while the request is
    /// handled; kept here for a WebSocket, whose handler runs after the request).
    var identity: RequestIdentity?
    public let webSocket = WebSocketHandlerReference<Self>()
    /// The trace id and the caller, for the access log and the request's span.
    let observation = RequestObservation()

    /// `BodyLimitMiddleware` enforces the configured limit before any handler decodes; this only caps what
    /// Hummingbird's own decoders would read.
    public var maxUploadSize: Int { 1 << 30 }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress
        self.clientAddress = peerAddress
    }
}
