public import Foundation

extension Gateway {
    /// How often the background services wake, and the time the schedule ticker reads.
    ///
    /// `bifrost serve` uses the defaults. Tests change them through `Gateway.assemble`'s parameter rather than by
    /// leaving a service out: workers that poll often start queued runs promptly, a refresher that waits an hour
    /// leaves a test's token requests to the test, and a ticker whose clock stands still fires no schedule.
    public struct Timing: Sendable {
        /// How often idle job workers look for queued runs besides being woken (`JobWorkers.pollInterval`).
        public var workerPoll: Duration = .seconds(1)
        /// How often the OAuth refresher looks for tokens that expire soon.
        public var refreshAhead: Duration = .seconds(30)
        /// How often the queue's depth and oldest waiting run are sampled for the metrics (`QueueSampler`).
        public var queueSample: Duration = .seconds(10)
        /// The time the schedule ticker fires slots for.
        public var scheduleClock: @Sendable () -> Date = { Date() }

        public init() {}
    }
}
