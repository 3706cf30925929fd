public import ServiceContextModule
public import Tracing

/// A W3C `traceparent` value (`00-<trace id>-<span id>-<flags>`): how a trace continues across a process boundary,
/// and what a queued run keeps of the request that queued it.
public struct TraceParent: Sendable, Equatable {
    /// 32 lowercase hex digits.
    public var traceID: String
    /// 16 lowercase hex digits.
    public var spanID: String
    /// The `flags` field's sampled bit.
    public var sampled: Bool

    /// The header's value.
    public var header: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    /// Parses a `traceparent` header; nil when it is not version 00's shape or has all-zero ids.
    public init?(header: String) {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00", parts[1].utf8.count == 32, parts[2].utf8.count == 16,
            parts[3].utf8.count == 2, Self.isHex(parts[1]), Self.isHex(parts[2]), Self.isHex(parts[3]),
            parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }),
            let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        traceID = String(parts[1])
        spanID = String(parts[2])
        sampled = flags & 1 == 1
    }

    /// The span context `context` carries, as the installed propagator writes it; nil with tracing off or when
    /// `context` carries no span.
    public static func of(_ context: ServiceContext) -> TraceParent? {
        guard TracingSwitch.isOn else { return nil }
        var carrier = TraceCarrier()
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: TraceCarrier.Injector())
        return carrier.traceparent.flatMap(TraceParent.init(header:))
    }

    /// The current task's span context (`ServiceContext.current`).
    public static var current: TraceParent? { ServiceContext.current.flatMap(of) }

    /// A context carrying this span context, as the installed propagator reads it: the parent of a span, or
    /// the target of a link.
    public var context: ServiceContext {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(
            TraceCarrier(traceparent: header), into: &context, using: TraceCarrier.Extractor())
        return context
    }

    private static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}

/// The one header the W3C propagator reads and writes, in memory.
struct TraceCarrier {
    var traceparent: String?

    struct Injector: Tracing.Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout TraceCarrier) {
            if key == "traceparent" { carrier.traceparent = value }
        }
    }

    struct Extractor: Tracing.Extractor {
        func extract(key: String, from carrier: TraceCarrier) -> String? {
            key == "traceparent" ? carrier.traceparent : nil
        }
    }
}
