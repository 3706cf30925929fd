import Foundation

extension GatewayConfiguration {
    /// Where the HTTP server listens and how it treats requests.
    public struct HTTP: Sendable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        /// Largest request body accepted, in bytes; larger ones get 413.
        public var maxBodySize: Int = 1 << 20
        /// How long in-flight requests may take to finish after SIGTERM.
        public var shutdownTimeout: Duration = .seconds(8)
        /// Browser origins allowed to call the API (CORS), exactly as browsers send them
        /// (`https://admin.example.com`); none by default.
        public var corsOrigins: [String] = []
        /// Threads doing the network I/O of HTTP connections and PostgreSQL connections (SwiftNIO event loops).
        /// Requests and runs execute on Swift's own pool of one thread per core, so by default half the cores do
        /// I/O: measured on 2 cores shared with PostgreSQL, one event loop instead of two served the queue
        /// benchmark's live load 5 % faster and drained it 12 % faster, with less CPU per job.
        public var eventLoops: Int = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
        /// Load balancers whose `Forwarded`/`X-Forwarded-For` headers give the client's address; none by default
        /// (the TCP peer is the client).
        public var trustedProxies = TrustedProxies()
        /// Live-update streams (Server-Sent Events and WebSockets) open at once in this process; more get 429.
        public var maxStreams: Int = 1_000
        /// The same, per user or API key.
        public var maxStreamsPerPrincipal: Int = 20
    }
}

extension GatewayConfiguration.HTTP {
    /// Reads the `http.` keys (`values` scoped to `http`).
    package init(reading values: ConfigValues) throws {
        host = try values.string("host") ?? host
        port = try values.integer("port", in: 0...65_535) ?? port
        maxBodySize = try values.integer("maxBodySize", in: 1...(1 << 30)) ?? maxBodySize
        if let seconds = try values.integer("shutdownTimeout", in: 0...3_600) {
            shutdownTimeout = .seconds(seconds)
        }
        eventLoops = try values.integer("eventLoops", in: 1...256) ?? eventLoops
        corsOrigins = try values.list("corsOrigins")
        for origin in corsOrigins {
            guard let url = URL(string: origin), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                url.path.isEmpty, url.query == nil
            else {
                throw values.error("corsOrigins", value: origin, expected: "origins such as https://admin.example.com")
            }
        }
        var proxies: [AddressRange] = []
        for entry in try values.list("trustedProxies") {
            guard let range = AddressRange(entry) else {
                throw values.error(
                    "trustedProxies", value: entry, expected: "IP addresses or networks such as 10.0.0.0/8"
                )
            }
            proxies.append(range)
        }
        trustedProxies = TrustedProxies(proxies)
        maxStreams = try values.integer("maxStreams", in: 1...1_000_000) ?? maxStreams
        maxStreamsPerPrincipal = try values.integer("maxStreamsPerPrincipal", in: 1...10_000) ?? maxStreamsPerPrincipal
    }
}
