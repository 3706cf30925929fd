import HTTPTypes
import Hummingbird

/// Refuses request bodies larger than the configured limit with 413, before any handler reads them.
///
/// A declared `Content-Length` over the limit is refused at once; a body without one is read up to the limit
/// and handed on as a buffer (admin API bodies are small JSON documents).
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let declared = request.headers[.contentLength].flatMap(Int.init) {
            guard declared <= limit else { throw Problem.payloadTooLarge(limit: limit) }
            return try await next(request, context)
        }
        guard request.method != .get, request.method != .head else { return try await next(request, context) }
        var request = request
        do {
            let buffer = try await request.body.collect(upTo: limit)
            request.body = RequestBody(buffer: buffer)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.payloadTooLarge(limit: limit)
        }
        return try await next(request, context)
    }
}
