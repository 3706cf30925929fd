import BifrostRuntime
import BifrostTelemetry
import Logging
import OTel
import ServiceLifecycle

/// Installs swift-otel's OTLP/HTTP exporter as the process's tracer when `tracing.enabled` is set.
///
/// Spans are sampled parent-based: a caller's `traceparent` decides for its trace, and a trace that starts here is
/// kept with probability `tracing.sampleRatio`. They leave in batches (protobuf over HTTP); the returned service
/// sends them and flushes what is left at shutdown, so it runs first and stops last. swift-otel's `OTEL_*`
/// environment variables override these settings, as OpenTelemetry's specification asks.
enum TraceExporter {
    /// The exporter's service; nil when tracing is off, or when this process already installed a tracer.
    /// - Throws: swift-otel's configuration errors (an endpoint it cannot use).
    static func bootstrap(_ settings: GatewayConfiguration.Tracing, logger: Logger) throws -> (any Service)? {
        guard settings.enabled, !TracingSwitch.isOn else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.propagators = [.traceContext]
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.sampler =
            .parentBasedTraceIDRatio(ratio: settings.sampleRatio) ?? .parentBasedAlwaysOn
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = settings.endpoint
        let service = try OTel.bootstrap(configuration: configuration)
        TracingSwitch.markInstalled()
        logger.info(
            "Exporting traces",
            metadata: [
                "bifrost.tracing.endpoint": "\(settings.endpoint)", "bifrost.tracing.ratio": "\(settings.sampleRatio)",
            ]
        )
        return service
    }
}
