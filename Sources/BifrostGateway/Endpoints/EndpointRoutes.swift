import Bifrost
import BifrostCrypto
import BifrostEngine
import BifrostStore
import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import NIOCore

/// `GET|POST|PUT|PATCH|DELETE /api/endpoints/{workflow_name}`: endpoint-enabled workflows as HTTP endpoints.
///
/// Callers are API keys (allowed for that workflow) or senders of Standard Webhooks signed with one of the
/// endpoint's active secrets (the run then happens in that secret's organisation; a `webhook-id` seen before is a
/// replay). Input is the query merged with the body (`EndpointInput`), validated as `execute` validates it. A
/// synchronous run answers its result (200) or a problem carrying the execution id; an asynchronous one 202 with
/// the id and its `Location`. With an `Idempotency-Key`, a repeat of the same request by the same caller within 24
/// hours gets the first answer without running again (waiting while the first still runs), and the same key with
/// another request is 422. These routes sit beside the generated admin API, so they make their own access
/// decision; the generated OpenAPI document describes them per workflow.
struct EndpointRoutes: Sendable {
    let engine: ExecutionEngine
    let secrets: EndpointSecretCache
    let idempotency: PostgresIdempotencyKeys
    let maximumBodySize: Int
    let metrics: any MetricsFactory

    static let path = "/api/endpoints/:workflow_name"
    static let executionIDHeader = HTTPField.Name("X-Bifrost-Execution-Id")!
    static let idempotencyKeyHeader = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    func register(on router: Router<GatewayRequestContext>) {
        for method in WorkflowConfiguration.HTTPMethod.allCases {
            router.on(RouterPath(Self.path), method: HTTPRequest.Method(rawValue: method.rawValue)!) { request, context in
                try await handle(request, context: context, method: method)
            }
        }
    }

    private func handle(_ request: Request, context: GatewayRequestContext, method: WorkflowConfiguration.HTTPMethod)
        async throws -> Response
    {
        let name = try context.parameters.require("workflow_name")
        guard let entry = engine.catalogue.workflows[name], let allowed = entry.configuration.endpointMethods else {
            throw Problem.notFound("No endpoint is named \(name).")
        }
        guard allowed.contains(method) else {
            throw Problem.methodNotAllowed(allowed: allowed.sorted().compactMap { HTTPRequest.Method(rawValue: $0.rawValue) })
        }
        let body = Array(try await request.body.collect(upTo: maximumBodySize).readableBytesView)
        var query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let caller: Caller
        let callerName: String
        if let identity = RequestIdentity.current {
            guard let key = identity.principal.apiKey else {
                throw Problem.forbidden("Endpoints are called with an API key or a webhook signature, not a user's token.")
            }
            guard identity.mayRun(name) else { throw Problem.forbidden("This API key may not call this endpoint.") }
            caller = identity.caller
            callerName = "key:\(key.id.uuidString.lowercased())"
        } else {
            caller = try await webhookCaller(request, workflow: name, body: body)
            callerName = "webhook:\(caller.organizationID?.uuidString.lowercased() ?? ""):\(name)"
            query.removeAll { $0.0 == "organization" }
        }
        let values = try EndpointInput.values(
            query: query, body: body, contentType: request.headers[.contentType], parameters: entry.parameters
        )
        guard let key = request.headers[Self.idempotencyKeyHeader] else {
            return Self.response(try await run(name, values, caller: caller, requestID: context.id), replayed: false)
        }
        guard (1...255).contains(key.utf8.count) else {
            throw Problem.validation([.init(field: "Idempotency-Key", message: "must have 1 to 255 characters")])
        }
        var fingerprint = Array("\(method.rawValue) \(request.uri.path)?\(request.uri.query ?? "")\n".utf8)
        fingerprint.append(contentsOf: body)
        let hash = SHA256Digest.hash(fingerprint)
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            switch try await idempotency.reserve(key, caller: callerName, requestHash: hash) {
            case .reserved:
                do {
                    let answer = try await run(name, values, caller: caller, requestID: context.id)
                    try await idempotency.complete(key, caller: callerName, with: answer)
                    return Self.response(answer, replayed: false)
                } catch {
                    try? await idempotency.release(key, caller: callerName)
                    throw error
                }
            case .answered(let answer):
                return Self.response(answer, replayed: true)
            case .mismatch:
                throw Problem.validation([.init(field: "Idempotency-Key", message: "was used with another request")])
            case .running:
                guard ContinuousClock.now < deadline else {
                    throw Problem.conflict("A request with this Idempotency-Key is still running; repeat it later.")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Runs the workflow and describes the answer: the result, the queued run, or a problem with the run's id.
    private func run(_ name: String, _ values: [String: JSONValue], caller: Caller, requestID: String?) async throws
        -> PostgresIdempotencyKeys.Answer
    {
        let submission: ExecutionEngine.Submission
        do {
            submission = try await engine.submit(name, input: values, caller: caller)
        } catch let refusal as ExecutionRefusal {
            throw Problem(refusal)
        }
        switch submission {
        case .queued(let record):
            let id = record.id.uuidString.lowercased()
            let body: JSONValue = ["execution_id": .string(id), "status": .string(record.status.rawValue)]
            return .init(
                status: 202, contentType: "application/json", location: "/api/executions/\(id)", executionID: id,
                body: Array(try JSONEncoder().encode(body))
            )
        case .finished(let record):
            let id = record.id.uuidString.lowercased()
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
                return .init(status: 504, contentType: "application/problem+json", location: nil, executionID: id, body: problem.body(requestID: requestID))
            default:
                let problem = Problem(
                    .unprocessableContent, kind: "workflow-failed", title: "Workflow failed",
                    detail: "Execution \(id) failed: \(record.error ?? "no reason given")"
                )
                return .init(status: 422, contentType: "application/problem+json", location: nil, executionID: id, body: problem.body(requestID: requestID))
            }
        }
    }

    /// The caller behind a Standard Webhooks signature: the organisation whose active secret signed the request
    /// (narrowed by `?organization=<uuid>` when the sender gives it). - Throws: 401 for a missing, bad, stale or
    /// replayed signature (counted in `bifrost_webhook_rejections_total` by reason).
    private func webhookCaller(_ request: Request, workflow: String, body: [UInt8]) async throws -> Caller {
        let headers = request.headers
        guard let id = headers[HTTPField.Name("webhook-id")!] else {
            throw Problem.unauthorized("Send an API key or a signed webhook (webhook-id, webhook-timestamp, webhook-signature).")
        }
        var candidates = try await secrets.secrets(for: workflow)
        if let organization = request.uri.queryParameters["organization"] {
            candidates.removeAll { $0.organizationID.uuidString.lowercased() != organization.lowercased() }
        }
        let signer: PostgresEndpointSecrets.Active
        do {
            let index = try StandardWebhookSignature.verify(
                id: id, timestamp: headers[HTTPField.Name("webhook-timestamp")!],
                signatures: headers[HTTPField.Name("webhook-signature")!], body: body, secrets: candidates.map(\.secret)
            )
            signer = candidates[index]
        } catch let failure as StandardWebhookSignature.Failure {
            reject(reason(of: failure))
            throw Problem.unauthorized("The webhook signature was refused: \(failure).")
        }
        guard try await secrets.store.recordDelivery(id, of: workflow, in: signer.organizationID) else {
            reject("replay")
            throw Problem.unauthorized("This webhook-id was delivered before; it is not run again.")
        }
        return Caller(
            organizationID: signer.organizationID, userID: nil, email: nil, name: "webhook", isPlatformAdmin: false,
            actor: ExecutionActor(label: "webhook (\(signer.id))")
        )
    }

    private func reason(of failure: StandardWebhookSignature.Failure) -> String {
        switch failure {
        case .missingHeader: "missing_header"
        case .malformedTimestamp, .timestampOutOfTolerance: "stale_timestamp"
        case .noMatchingSignature: "bad_signature"
        }
    }

    private func reject(_ reason: String) {
        Counter(label: "bifrost_webhook_rejections_total", dimensions: [("reason", reason)], factory: metrics).increment()
    }

    private static func response(_ answer: PostgresIdempotencyKeys.Answer, replayed: Bool) -> Response {
        var headers: HTTPFields = [.contentType: answer.contentType]
        if let location = answer.location { headers[.location] = location }
        if let id = answer.executionID { headers[executionIDHeader] = id }
        if replayed { headers[replayedHeader] = "true" }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }
}
