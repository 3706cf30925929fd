import Bifrost
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
/// the id and its `Location`. These routes sit beside the generated admin API, so they make their own access
/// decision; the generated OpenAPI document describes them per workflow.
struct EndpointRoutes: Sendable {
    let engine: ExecutionEngine
    let secrets: EndpointSecretCache
    let maximumBodySize: Int
    let metrics: any MetricsFactory

    static let path = "/api/endpoints/:workflow_name"
    static let executionIDHeader = HTTPField.Name("X-Bifrost-Execution-Id")!

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
        if let identity = RequestIdentity.current {
            guard identity.principal.apiKey != nil else {
                throw Problem.forbidden("Endpoints are called with an API key or a webhook signature, not a user's token.")
            }
            guard identity.mayRun(name) else { throw Problem.forbidden("This API key may not call this endpoint.") }
            caller = identity.caller
        } else {
            caller = try await webhookCaller(request, workflow: name, body: body)
            query.removeAll { $0.0 == "organization" }
        }
        let values = try EndpointInput.values(
            query: query, body: body, contentType: request.headers[.contentType], parameters: entry.parameters
        )
        let submission: ExecutionEngine.Submission
        do {
            submission = try await engine.submit(name, input: values, caller: caller)
        } catch let refusal as ExecutionRefusal {
            throw Problem(refusal)
        }
        return try Self.response(to: submission)
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

    private static func response(to submission: ExecutionEngine.Submission) throws -> Response {
        switch submission {
        case .queued(let record):
            let id = record.id.uuidString.lowercased()
            return try json(
                .accepted, ["execution_id": .string(id), "status": .string(record.status.rawValue)],
                headers: [.location: "/api/executions/\(id)", executionIDHeader: id]
            )
        case .finished(let record):
            let id = record.id.uuidString.lowercased()
            switch record.status {
            case .success, .completedWithErrors:
                return try json(.ok, record.result ?? .null, headers: [executionIDHeader: id])
            case .timeout:
                var problem = Problem(.gatewayTimeout, kind: "workflow-timeout", title: "Workflow timed out",
                                      detail: "Execution \(id) did not finish in time.")
                problem.headers[executionIDHeader] = id
                throw problem
            default:
                var problem = Problem(.unprocessableContent, kind: "workflow-failed", title: "Workflow failed",
                                      detail: "Execution \(id) failed: \(record.error ?? "no reason given")")
                problem.headers[executionIDHeader] = id
                throw problem
            }
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }
}
