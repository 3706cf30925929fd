import BifrostAPI
import BifrostStore
import OpenAPIRuntime
import Prometheus

extension APIService {
    func getLiveness(_ input: Operations.GetLiveness.Input) async throws -> Operations.GetLiveness.Output {
        .ok(.init(body: .json(.init(status: .ok, checks: .init(additionalProperties: ["process": "ok"])))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        let checks = await database.check()
        let ready = checks.values.allSatisfy { $0 == "ok" }
        let body = Components.Schemas.HealthStatus(
            status: ready ? .ok : .unavailable, checks: .init(additionalProperties: checks)
        )
        return ready ? .ok(.init(body: .json(body))) : .serviceUnavailable(.init(body: .json(body)))
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        .ok(.init(body: .plainText(HTTPBody(metrics.emitToString()))))
    }
}
