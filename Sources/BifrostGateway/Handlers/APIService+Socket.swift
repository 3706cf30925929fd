import BifrostAPI
import HTTPTypes

extension APIService {
    /// `GET /api/ws` without a WebSocket upgrade: the socket itself is served by `ExecutionSocket`.
    func openExecutionSocket(_ input: Operations.OpenExecutionSocket.Input) async throws
        -> Operations.OpenExecutionSocket.Output
    {
        throw Problem(
            HTTPResponse.Status(code: 426, reasonPhrase: "Upgrade Required"), kind: "upgrade-required",
            title: "Upgrade Required", detail: "Connect to /api/ws with a WebSocket upgrade."
        )
    }
}
