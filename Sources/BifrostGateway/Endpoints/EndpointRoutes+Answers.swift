import Bifrost
import BifrostEngine
import BifrostStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension EndpointRoutes {
    /// Runs the workflow and describes the answer: the result, the queued run, or a problem with the run's id.
    func run(_ name: String, _ values: [String: JSONValue], caller: Caller, requestID: String?) async throws
        -> PostgresIdempotencyKeyRepository.Answer
    {
        switch try await engine.submitAnsweringRefusals(name, input: values, caller: caller) {
        case .queued(let record):
            let answer = record.queuedAnswer
            return .init(
                status: 202, contentType: "application/json", location: answer.location,
                executionID: record.id.lowercasedText, body: Array(try JSONEncoder().encode(answer.body))
            )
        case .finished(let record):
            let id = record.id.lowercasedText
            switch record.status {
            case .success, .completedWithErrors:
                return .init(
                    status: 200, contentType: "application/json", location: nil, executionID: id,
                    body: Array(try JSONEncoder().encode(record.result ?? .null))
                )
            case .timeout:
                let problem = Problem(
                    .gatewayTimeout, kind: "workflow-timeout", title: "Workflow timed out",
                    detail: "Execution \(id) did not finish in time."
                )
                return .init(
                    status: 504, contentType: "application/problem+json", location: nil, executionID: id,
                    body: problem.body(requestID: requestID))
            default:
                let problem = Problem(
                    .unprocessableContent, kind: "workflow-failed", title: "Workflow failed",
                    detail: "Execution \(id) failed: \(record.error ?? "no reason given")"
                )
                return .init(
                    status: 422, contentType: "application/problem+json", location: nil, executionID: id,
                    body: problem.body(requestID: requestID))
            }
        }
    }

    /// The HTTP answer of a run's answer, with `headers` (the caller's rate-limit headers) added.
    static func response(_ answer: PostgresIdempotencyKeyRepository.Answer, replayed: Bool, headers extra: HTTPFields)
        -> Response
    {
        var headers: HTTPFields = [.contentType: answer.contentType]
        headers.append(contentsOf: extra)
        if let location = answer.location { headers[.location] = location }
        if let id = answer.executionID { headers[executionIDHeader] = id }
        if replayed { headers[replayedHeader] = "true" }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }
}
