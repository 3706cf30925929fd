import Bifrost
import BifrostCrypto
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation
import HTTPTypes
import Hummingbird

/// `GET|POST|PUT|PATCH|DELETE /api/endpoints/{workflow_name}`: endpoint-enabled workflows as HTTP endpoints.
///
/// Callers are API keys (allowed for that workflow, its workflow roles included) or senders of Standard Webhooks signed with one of the
/// endpoint's active secrets (the run then happens in that secret's organisation; a `webhook-id` seen before is a
/// replay). Input is the query merged with the body (`EndpointInput`), validated as `execute` validates it. A
/// synchronous run answers its result (200) or a problem carrying the execution id; an asynchronous one 202 with
/// the id and its `Location`. With an `Idempotency-Key`, a repeat of the same request by the same caller within 24
/// hours gets the first answer without running again (waiting while the first still runs), and the same key with
/// another request is 422. These routes sit beside the generated admin API, so they make their own access
/// decision; the generated OpenAPI document describes them per workflow.
struct EndpointRoutes: Sendable {
    let engine: ExecutionEngine
    /// Limits calls made with API keys, after they are known to be allowed.
    let gate: AccessGate
    /// Each organisation's narrowings of role-limited workflows, for calls made with API keys.
    let access: WorkflowAccessCache
    let webhooks: WebhookAuthenticator
    let idempotency: PostgresIdempotencyKeyRepository
    let maximumBodySize: Int

    static let path = "/api/endpoints/:workflow_name"
    static let executionIDHeader = HTTPField.Name("X-Bifrost-Execution-Id")!
    static let idempotencyKeyHeader = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    func register(on router: Router<GatewayRequestContext>) {
        for method in WorkflowConfiguration.HTTPMethod.allCases {
            router.on(RouterPath(Self.path), method: HTTPRequest.Method(rawValue: method.rawValue)!) {
                request, context in
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
            throw Problem.methodNotAllowed(
                allowed: allowed.sorted().compactMap { HTTPRequest.Method(rawValue: $0.rawValue) })
        }
        let body = Array(try await request.body.collect(upTo: maximumBodySize).readableBytesView)
        var query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let caller: Caller
        let callerName: String
        var limitHeaders = HTTPFields()
        if let identity = context.identity {
            guard let key = identity.principal.apiKey else {
                throw Problem.forbidden(
                    "Endpoints are called with an API key or a webhook signature, not a user's token.")
            }
            // A signed webhook is the organisation's grant for this endpoint; a key needs what `execute` needs.
            guard identity.mayRun(entry, narrowings: try await access.narrowings(for: identity.scope)) else {
                throw Problem.forbidden("This API key may not call this endpoint.")
            }
            // An endpoint call runs the workflow: the policy's `executeWorkflow` decides, then the rate limits.
            limitHeaders = try gate.admit(identity, to: "executeWorkflow")
            caller = identity.caller
            // A platform key acts in any organisation: its keys are kept apart per organisation it acts in.
            callerName =
                "key:\(key.id.lowercasedText):\(caller.organizationID?.lowercasedText ?? "global")"
        } else {
            caller = try await webhooks.caller(of: request, workflow: name, body: body)
            callerName = "webhook:\(caller.organizationID?.lowercasedText ?? ""):\(name)"
            query.removeAll { $0.0 == "organization" }
        }
        let values = try EndpointInput.values(
            query: query, body: body, contentType: request.headers[.contentType], parameters: entry.parameters
        )
        guard let key = request.headers[Self.idempotencyKeyHeader] else {
            return Self.response(
                try await run(name, values, caller: caller, requestID: context.id), replayed: false,
                headers: limitHeaders)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem.validation([
                .init(field: "Idempotency-Key", message: "must have 1 to 255 visible ASCII characters")
            ])
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
                    return Self.response(answer, replayed: false, headers: limitHeaders)
                } catch {
                    try? await idempotency.release(key, caller: callerName)
                    throw error
                }
            case .answered(let answer):
                return Self.response(answer, replayed: true, headers: limitHeaders)
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
}
