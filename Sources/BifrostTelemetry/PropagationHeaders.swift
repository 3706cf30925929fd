public import ServiceContextModule
public import Tracing

/// The headers that carry `context`'s trace to another service (`traceparent`, and whatever else the installed
/// propagator writes), for a client that sends them itself.
public enum PropagationHeaders {
    /// Empty with tracing off.
    public static func of(_ context: ServiceContext) -> [(name: String, value: String)] {
        guard TracingSwitch.isOn else { return [] }
        var headers = HeaderList()
        InstrumentationSystem.instrument.inject(context, into: &headers, using: HeaderList.Injector())
        return headers.fields
    }

    private struct HeaderList {
        var fields: [(name: String, value: String)] = []

        struct Injector: Tracing.Injector {
            func inject(_ value: String, forKey key: String, into carrier: inout HeaderList) {
                carrier.fields.append((key, value))
            }
        }
    }
}
