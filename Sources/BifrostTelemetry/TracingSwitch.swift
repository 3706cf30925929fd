import Synchronization
public import Tracing

/// Whether this process records spans: set once by `bifrost serve` when it installs a tracer
/// (`tracing.enabled`).
///
/// With tracing off, `InstrumentationSystem.tracer` is a no-op tracer and starting a span costs little, but not
/// nothing: the hot paths (every SQL statement, every request) ask this first and skip span bookkeeping entirely.
public enum TracingSwitch {
    private static let enabled = Atomic<Bool>(false)

    /// True once a real tracer is installed.
    public static var isOn: Bool { enabled.load(ordering: .relaxed) }

    /// Installs `tracer` as the process's tracer and turns the switch on. Once per process, like
    /// `InstrumentationSystem.bootstrap`, which it calls.
    public static func install(_ tracer: some Tracer) {
        InstrumentationSystem.bootstrap(tracer)
        enabled.store(true, ordering: .relaxed)
    }

    /// Turns the switch on for a tracer something else installed (`OTel.bootstrap`).
    public static func markInstalled() {
        enabled.store(true, ordering: .relaxed)
    }

    /// True inside a span that is recorded (sampled): only there do child spans start. A request or queued run the
    /// sampler dropped would have every child dropped too (parent-based sampling), so they are not started at all:
    /// no statement summary, no ids, no attributes. Set by `recording(_:_:)`.
    @TaskLocal public static var isRecording = false

    /// Whether a child span started here would be recorded.
    public static var recordsChildren: Bool { isOn && isRecording }

    /// Runs `body` with `span` as the current context and `isRecording` set, when the span is recorded; otherwise
    /// runs it as it is.
    public static func recording<Result>(
        _ span: any Span, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async throws -> Result {
        guard span.isRecording else { return try await body() }
        return try await $isRecording.withValue(
            true,
            operation: {
                try await ServiceContext.$current.withValue(span.context, operation: body, isolation: isolation)
            }, isolation: isolation)
    }
}
