public import Foundation

/// How runs' outbound requests are sent: timeouts, size bound and retries. One for the whole engine.
public struct OutboundPolicy: Sendable {
    /// How long an attempt waits for its whole answer when the request names no timeout.
    public var defaultTimeout: Duration
    /// The largest answer body accepted, in bytes.
    public var maximumResponseSize: Int
    /// The most times one request is sent (the first attempt included).
    public var maximumAttempts: Int
    /// The longest wait before a retry; an answer asking for a longer one (`Retry-After`) is returned as it is.
    public var maximumRetryWait: Duration
    /// The wait before the first retry when the answer names none; it doubles with each retry.
    public var firstRetryWait: Duration
    /// How the engine waits before a retry; tests give one that records the waits instead.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// The time now, to read a `Retry-After` date against.
    public var now: @Sendable () -> Date

    /// - Parameters:
    ///   - defaultTimeout: 30 seconds unless given.
    ///   - maximumResponseSize: 16 MiB unless given.
    ///   - maximumAttempts: 4 unless given (at least 1).
    ///   - maximumRetryWait: one minute unless given.
    ///   - firstRetryWait: one second unless given.
    public init(
        defaultTimeout: Duration = .seconds(30), maximumResponseSize: Int = 16 << 20, maximumAttempts: Int = 4,
        maximumRetryWait: Duration = .seconds(60), firstRetryWait: Duration = .seconds(1),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.defaultTimeout = defaultTimeout
        self.maximumResponseSize = maximumResponseSize
        self.maximumAttempts = max(1, maximumAttempts)
        self.maximumRetryWait = maximumRetryWait
        self.firstRetryWait = firstRetryWait
        self.sleep = sleep
        self.now = now
    }
}
