public import BifrostEngine
public import Hummingbird
import HummingbirdWebSocket
import Logging
import Prometheus
public import ServiceLifecycle

/// One gateway process, assembled by `Gateway.assemble`: the engine, the routers and every service, ready to run.
///
/// `bifrost serve` runs `services(host:port:)` in one `ServiceGroup` after the database pool (and the embedded
/// cluster). Test harnesses run `background` in a group of their own and the application through
/// HummingbirdTesting, which serves it; they may mount routes of their own on `http` before building it.
public struct GatewayAssembly {
    /// What the assembly was built from.
    public let dependencies: Gateway.Dependencies
    /// The engine behind the routes and the job workers.
    public let engine: ExecutionEngine
    /// The router of every HTTP route.
    public let http: Router<GatewayRequestContext>
    /// The router of WebSocket upgrades (`/api/ws`).
    public let webSocket: Router<GatewayRequestContext>
    /// Every service beside the HTTP server, in start order (a group stops them in reverse): the client of runs'
    /// outbound HTTP, migrations, the
    /// notification listener, the heartbeat, the schedule ticker, the retention sweeper, the OAuth refresher and
    /// the job workers.
    public let background: [ServiceGroupConfiguration.ServiceConfiguration]
    /// The port `/metrics` is served on alone (`metrics.port`, on the API's host); nil: on the API's port.
    public let metricsPort: Int?
    /// The logger of the HTTP server.
    let logger: Logger

    /// The HTTP server (with WebSocket upgrades) on `host` and `port`.
    public func application(host: String, port: Int) -> Application<RouterResponder<GatewayRequestContext>> {
        Application(
            router: http,
            server: .http1WebSocketUpgrade(webSocketRouter: webSocket),
            configuration: .init(address: .hostname(host, port: port), serverName: "bifrost"),
            logger: logger
        )
    }

    /// The server of `GET /metrics` alone on `host` and `port` (`metrics.port`).
    public func metricsApplication(host: String, port: Int) -> Application<RouterResponder<BasicRequestContext>> {
        Application(
            router: MetricsEndpoint.router(registry: dependencies.metrics),
            configuration: .init(address: .hostname(host, port: port), serverName: "bifrost-metrics"),
            logger: logger
        )
    }

    /// `background`, then the metrics server on `host` and `metricsPort` (when set), then the HTTP server on
    /// `host` and `port`; the end of either server ends the group.
    public func services(host: String, port: Int) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let metrics: [ServiceGroupConfiguration.ServiceConfiguration] =
            metricsPort.map {
                [
                    .init(
                        service: metricsApplication(host: host, port: $0),
                        successTerminationBehavior: .gracefullyShutdownGroup)
                ]
            } ?? []
        return background + metrics + [
            .init(service: application(host: host, port: port), successTerminationBehavior: .gracefullyShutdownGroup)
        ]
    }

    /// The type names of `services`, in order: what a test compares with what a harness runs.
    public static func names(of services: [ServiceGroupConfiguration.ServiceConfiguration]) -> [String] {
        services.map { String(describing: type(of: $0.service)) }
    }
}
