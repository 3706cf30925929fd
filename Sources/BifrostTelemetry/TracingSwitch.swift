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
}
