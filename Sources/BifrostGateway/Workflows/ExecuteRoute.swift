import Bifrost
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// `POST /api/workflows/{name}/execute` (operation `executeWorkflow` of `openapi.yaml`), served beside the generated
/// handlers: the body goes straight to `JSONValue` and the answer is written from the run's record, without the
/// generated types' Codable round trips — this route carries most of the gateway's traffic. It is admitted by the
/// `AccessGate` and checked against the contract itself, as the generated operations' middleware would be.
struct ExecuteRoute: Sendable {
    let engine: ExecutionEngine
    let gate: AccessGate
    /// Each organisation's narrowings of role-limited workflows (cached: no query here on most requests).
    let access: WorkflowAccessCache
    /// The contract's rules for the body (`ExecuteRequest`), as the generated operations get them.
    let contract: ContractValidation
    let maximumBodySize: Int

    static let operationID = "executeWorkflow"

    func register(on router: Router<GatewayRequestContext>, routes: RouteTable) {
        routes.add(method: .post, path: "/api/workflows/{name}/execute")
        router.post("/api/workflows/:name/execute") { request, context in try await handle(request, context: context) }
    }

    private func handle(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let limitHeaders = try gate.admit(context.identity, to: Self.operationID)
        guard let caller = context.identity else { throw Problem.unauthorized() }
        let name = try context.parameters.require("name")
        if let entry = engine.catalogue.workflows[name],
            !caller.mayRun(entry, narrowings: try await access.narrowings(for: caller.scope))
        {
            throw Problem.notFound("No workflow is named \(name).")
        }
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw Problem.unsupportedMediaType("Send application/json.")
        }
        let body = try await request.body.collect(upTo: maximumBodySize)
        let document: JSONValue
        do {
            document = try JSONValue(parsing: body.readableBytesView)
        } catch {
            throw Problem.malformedJSON("The request body is not valid JSON.")
        }
        guard case .object(let members) = document else {
            throw Problem.validation([.init(field: "body", message: "must be a JSON object")])
        }
        let broken = contract.problems(ofBody: document, operationID: Self.operationID)
        guard broken.isEmpty else { throw Problem.validation(broken) }
        var values: [String: JSONValue] = [:]
        switch members["input"] {
        case nil, .null: break
        case .object(let input): values = input
        default: throw Problem.validation([.init(field: "input", message: "must be an object of parameters")])
        }
        let queued: Bool
        switch members["mode"] {
        case nil, .null, .string("sync"): queued = false
        case .string("async"): queued = true
        default: throw Problem.validation([.init(field: "mode", message: "must be sync or async")])
        }
        var response = try await answer(name, input: values, caller: caller, queued: queued)
        response.headers.append(contentsOf: limitHeaders)
        return response
    }

    private func answer(_ name: String, input values: [String: JSONValue], caller: RequestIdentity, queued: Bool)
        async throws -> Response
    {
        switch try await engine.submitAnsweringRefusals(name, input: values, caller: caller.caller, queued: queued) {
        case .queued(let record):
            let answer = record.queuedAnswer
            return Self.json(.accepted, answer.body, location: answer.location)
        case .finished(let record):
            var answer: [String: JSONValue] = [
                "execution_id": .string(record.id.lowercasedText), "status": .string(record.status.rawValue),
                "duration_ms": .int(record.durationMilliseconds ?? 0),
            ]
            if let result = record.result { answer["result"] = result }
            if let error = record.error { answer["error"] = .string(error) }
            return Self.json(.ok, .object(answer), location: nil)
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ value: JSONValue, location: String?) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.jsonText)))
    }
}
