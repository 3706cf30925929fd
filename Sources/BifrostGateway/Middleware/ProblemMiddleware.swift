import HTTPTypes
import Hummingbird
import Logging
import OpenAPIRuntime

/// Turns every error thrown below it into an `application/problem+json` response.
///
/// Also answers 405 (with `Allow`) where the router found no route for the method but the path exists with
/// other methods. Server faults are logged with the request id; their responses say nothing inside.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            var (problem, isServerFault) = Problem.from(error)
            // The router throws HTTPError(.notFound) for an unknown path and for a known path with another
            // method alike; handlers report missing resources as `Problem`, which never reaches this branch.
            if let routing = error as? HTTPError, routing.status == .notFound {
                let allowed = routes.methods(forPath: request.uri.path)
                if !allowed.isEmpty { problem = .methodNotAllowed(allowed: allowed) }
            }
            if isServerFault {
                let (kind, message) = Self.describe(error)
                context.logger.error(
                    "Request failed", metadata: ["error.type": "\(kind)", "error.message": "\(message)"])
            }
            return problem.render(requestID: context.id)
        }
    }

    /// What to log of a server fault. A generated handler's `ServerError` describes the whole request, headers
    /// (credentials, cookies) included, so only its operation and underlying error are logged.
    static func describe(_ error: any Error) -> (type: String, message: String) {
        if let server = error as? ServerError {
            let underlying = server.underlyingError
            return ("\(type(of: underlying))", "\(server.operationID): \(String(reflecting: underlying))")
        }
        return ("\(type(of: error))", String(reflecting: error))
    }
}
