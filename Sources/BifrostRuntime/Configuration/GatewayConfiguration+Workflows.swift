extension GatewayConfiguration {
    /// How many workflow runs may be in progress, and how large their results may be.
    public struct Workflows: Sendable {
        public var maxConcurrentRuns: Int = 64
        public var maxConcurrentRunsPerOrganization: Int = 16
        /// Largest JSON result a run may return, in bytes.
        public var maxResultSize: Int = 1 << 20
        /// Queued runs this process runs at once.
        public var workers: Int = 4
        /// How long queued runs in progress may go on after SIGTERM before they are handed back to the queue.
        public var drainTimeout: Duration = .seconds(5)
        /// How long a process may miss its heartbeat before another replica takes over its queued runs
        /// (heartbeats go every sixth of it).
        public var leaseTimeout: Duration = .seconds(60)
        /// How long finished runs and their logs are kept.
        public var retention: Duration = .seconds(30 * 86_400)
    }
}

extension GatewayConfiguration.Workflows {
    /// Reads the `workflows.` keys (`values` scoped to `workflows`).
    package init(reading values: ConfigValues) throws {
        maxConcurrentRuns = try values.integer("maxConcurrentRuns", in: 1...10_000) ?? maxConcurrentRuns
        maxConcurrentRunsPerOrganization =
            try values.integer("maxConcurrentRunsPerOrganization", in: 1...10_000)
            ?? maxConcurrentRunsPerOrganization
        maxResultSize = try values.integer("maxResultSize", in: 1_024...(64 << 20)) ?? maxResultSize
        workers = try values.integer("workers", in: 0...1_000) ?? workers
        if let seconds = try values.integer("drainTimeout", in: 0...3_600) {
            drainTimeout = .seconds(seconds)
        }
        if let seconds = try values.integer("leaseTimeout", in: 3...3_600) {
            leaseTimeout = .seconds(seconds)
        }
        if let days = try values.integer("retentionDays", in: 1...3_650) {
            retention = .seconds(days * 86_400)
        }
    }
}
