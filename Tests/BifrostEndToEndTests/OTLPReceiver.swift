import BifrostTestSupport
import Foundation

/// A real OpenTelemetry collector endpoint on loopback: a Python HTTP server that decodes OTLP/HTTP protobuf
/// export requests with OpenTelemetry's own protocol definitions (PyPI `opentelemetry-proto`, installed by
/// `scripts/install-dependencies`) and prints every span it receives as one JSON line.
struct OTLPReceiver: Sendable {
    /// One received span, as the receiver decoded it.
    struct Span: Sendable {
        var traceID: String
        var spanID: String
        var parentSpanID: String
        var name: String
        /// 1 internal, 2 server, 3 client (OTLP's `SpanKind`).
        var kind: Int
        var attributes: [String: String]
        /// The trace ids and span ids of its links.
        var links: [(traceID: String, spanID: String)]
        /// 2 when the span says it failed (OTLP's `STATUS_CODE_ERROR`).
        var statusCode: Int
    }

    let process: ServerProcess
    /// `http://127.0.0.1:<port>/v1/traces`.
    let endpoint: String

    /// Starts the receiver in `folder`, runs `body`, stops it.
    static func with<Result>(in folder: URL, _ body: (OTLPReceiver) async throws -> Result) async throws -> Result {
        let script = folder.appending(path: "otlp_receiver.py")
        try Data(Self.script.utf8).write(to: script)
        let process = try ServerProcess(
            arguments: ["python3", "-u", script.path], workingDirectory: folder, executable: "/usr/bin/env")
        guard
            try await eventually(within: .seconds(30), { process.output.contains("LISTENING ") || !process.isRunning }),
            let line = process.output.split(separator: "\n").first(where: { $0.hasPrefix("LISTENING ") }),
            let port = Int(line.dropFirst("LISTENING ".count))
        else {
            throw ReceiverDidNotStart(output: process.output)
        }
        defer { process.signal(SIGTERM) }
        return try await body(OTLPReceiver(process: process, endpoint: "http://127.0.0.1:\(port)/v1/traces"))
    }

    struct ReceiverDidNotStart: Error, CustomStringConvertible {
        var output: String
        var description: String { "the OTLP receiver did not start:\n\(output)" }
    }

    /// Every span received so far.
    var spans: [Span] {
        process.output.split(separator: "\n").compactMap { line -> Span? in
            guard line.hasPrefix("SPAN "),
                let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(5).utf8)) as? [String: Any]
            else { return nil }
            return Span(
                traceID: object["trace_id"] as? String ?? "", spanID: object["span_id"] as? String ?? "",
                parentSpanID: object["parent_span_id"] as? String ?? "", name: object["name"] as? String ?? "",
                kind: object["kind"] as? Int ?? 0, attributes: object["attributes"] as? [String: String] ?? [:],
                links: (object["links"] as? [[String: String]] ?? []).map {
                    ($0["trace_id"] ?? "", $0["span_id"] ?? "")
                },
                statusCode: object["status"] as? Int ?? 0
            )
        }
    }

    /// Every line the receiver printed: what a test searches for text that must never be exported.
    var rawOutput: String { process.output }

    private static let script = #"""
        import json, sys
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

        def value(any_value):
            kind = any_value.WhichOneof("value")
            return "" if kind is None else str(getattr(any_value, kind))

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path != "/v1/traces" or self.headers.get("Content-Type") != "application/x-protobuf":
                    self.send_response(415)
                    self.end_headers()
                    return
                request = trace_service_pb2.ExportTraceServiceRequest()
                request.ParseFromString(body)
                for resource in request.resource_spans:
                    service = {a.key: value(a.value) for a in resource.resource.attributes}.get("service.name", "")
                    for scope in resource.scope_spans:
                        for span in scope.spans:
                            print("SPAN " + json.dumps({
                                "service": service,
                                "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                                "parent_span_id": span.parent_span_id.hex(), "name": span.name, "kind": span.kind,
                                "attributes": {a.key: value(a.value) for a in span.attributes},
                                "events": [e.name for e in span.events],
                                "links": [{"trace_id": l.trace_id.hex(), "span_id": l.span_id.hex()} for l in span.links],
                                "status": span.status.code,
                            }), flush=True)
                answer = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print("LISTENING %d" % server.server_address[1], flush=True)
        server.serve_forever()
        """#
}
