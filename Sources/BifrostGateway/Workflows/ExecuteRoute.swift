import Bifrost
import BifrostEngine
import BifrostStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// `POST /api/workflows/{name}/execute` (operation `executeWorkflow` of `openapi.yaml`), served beside the generated
/// handlers: the body goes straight to `JSONValue` and the answer is written from the run's record, without the
/// generated types' Codable round trips — this route carries most of the gateway's traffic. It applies the
/// access policy of `executeWorkflow` itself, as the generated operations' middleware would.
struct ExecuteRoute: Sendable {
    let engine: ExecutionEngine
    let policy: AccessPolicy
    let maximumBodySize: Int

    static let operationID = "executeWorkflow"

    func register(on router: Router<GatewayRequestContext>, routes: RouteTable) {
        routes.add(method: .post, path: "/api/workflows/{name}/execute")
        router.post("/api/workflows/:name/execute") { request, context in try await handle(request, context: context) }
    }

    private func handle(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        switch policy.decide(operationID: Self.operationID, role: RequestIdentity.current?.principal.role) {
        case .allow: break
        case .unauthenticated: throw Problem.unauthorized()
        case .forbidden: throw Problem.forbidden("This operation is not granted to the caller's role.")
        }
        let caller = try RequestIdentity.required()
        let name = try context.parameters.require("name")
        guard caller.mayRun(name) else { throw Problem.notFound("No workflow is named \(name).") }
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
        switch try await engine.submitAnsweringRefusals(name, input: values, caller: caller.caller, queued: queued) {
        case .queued(let record):
            let answer = record.queuedAnswer
            return Self.json(.accepted, answer.body, location: answer.location)
        case .finished(let record):
            var answer: [String: JSONValue] = [
                "execution_id": .string(record.id.uuidString.lowercased()), "status": .string(record.status.rawValue),
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
