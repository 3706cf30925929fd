import HTTPTypes
import Hummingbird
import Logging

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
                context.logger.error(
                    "Request failed",
                    metadata: ["error.type": "\(type(of: error))", "error.message": "\(String(reflecting: error))"]
                )
            }
            return problem.render(requestID: context.id)
        }
    }
}
