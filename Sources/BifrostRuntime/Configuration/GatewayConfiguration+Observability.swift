import Foundation

extension GatewayConfiguration {
    /// Traces exported over OpenTelemetry's protocol (`tracing.`); off by default.
    public struct Tracing: Sendable {
        public var enabled = false
        /// Where spans are sent: an OTLP/HTTP traces address, protobuf-encoded (a collector's `…:4318/v1/traces`).
        public var endpoint = "http://127.0.0.1:4318/v1/traces"
        /// The share of traces started here that are recorded; a caller's `traceparent` decides for its own
        /// traces (parent-based sampling).
        public var sampleRatio = 0.1
        /// The `service.name` resource attribute.
        public var serviceName = "bifrost"
    }

    /// Where `/metrics` is served (`metrics.`).
    public struct Metrics: Sendable {
        /// A port of its own for `/metrics`, on `http.host`; nil: `/metrics` is served on the API's port.
        public var port: Int?
    }

    /// One line per request (`log.access`, `log.accessSampleRatio`).
    public enum AccessLog: Sendable, Equatable {
        case off
        case on
        /// A share of requests, plus every request answered with a server error.
        case sampled(Double)
    }
}

extension GatewayConfiguration.Tracing {
    /// Reads the `tracing.` keys (`values` scoped to `tracing`).
    package init(reading values: ConfigValues) throws {
        enabled = try values.boolean("enabled") ?? enabled
        if let text = try values.string("endpoint") {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw values.error("endpoint", value: text, expected: "an http or https address")
            }
            endpoint = text
        }
        sampleRatio = try values.fraction("sampleRatio") ?? sampleRatio
        serviceName = try values.string("serviceName") ?? serviceName
    }
}

extension GatewayConfiguration.Metrics {
    /// Reads the `metrics.` keys (`values` scoped to `metrics`).
    package init(reading values: ConfigValues) throws {
        port = try values.integer("port", in: 0...65_535)
    }
}

extension GatewayConfiguration.AccessLog {
    /// Reads `log.access` and `log.accessSampleRatio` (`values` scoped to `log`).
    package init(reading values: ConfigValues) throws {
        let ratio = try values.fraction("accessSampleRatio") ?? 0.1
        switch try values.string("access")?.lowercased() {
        case nil, "off", "false": self = .off
        case "on", "true": self = .on
        case "sampled": self = .sampled(ratio)
        case let other?: throw values.error("access", value: other, expected: "off, on or sampled")
        }
    }
}
