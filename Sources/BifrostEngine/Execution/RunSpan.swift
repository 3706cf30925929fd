import BifrostStore
import BifrostTelemetry
import Foundation
import Tracing

/// The span of one run: `workflow <name>`, with the workflow's name, the run's id, mode and final status; never
/// its input, result or logs.
enum RunSpan {
    /// Starts the span of `record`'s run: a child of the current span (a synchronous or local run), or, for a
    /// queued one, the root of a trace of its own linked to `queuedBy`, the `traceparent` of the span that queued it.
    static func start(_ record: ExecutionRecord, mode: RunMode, queuedBy: String?) -> any Span {
        let queued = mode == .async || mode == .scheduled
        let parent: ServiceContext = queued ? .topLevel : (ServiceContext.current ?? .topLevel)
        let span = InstrumentationSystem.tracer.startSpan("workflow \(record.workflow)", context: parent)
        span.attributes[SpanAttribute.workflowName] = record.workflow
        span.attributes[SpanAttribute.executionID] = record.id.lowercasedText
        span.attributes[SpanAttribute.executionMode] = mode.rawValue
        if let organization = record.organizationID {
            span.attributes[SpanAttribute.organizationID] = organization.lowercasedText
        }
        if let queuedBy, let link = TraceParent(header: queuedBy) {
            span.addLink(SpanLink(context: link.context, attributes: [:]))
        }
        return span
    }

    /// Records the run's final status; a failed, timed-out or partly failed run marks the span as an error.
    static func finish(_ span: any Span, status: ExecutionStatus) {
        span.attributes[SpanAttribute.executionStatus] = status.rawValue
        if [.failed, .timeout, .completedWithErrors].contains(status) { span.setStatus(SpanStatus(code: .error)) }
    }
}
