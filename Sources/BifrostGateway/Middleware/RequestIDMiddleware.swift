import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id: the client's `X-Request-Id` when it is sane, a new random one otherwise.
///
/// The id goes into the request's logger (so every log line of the request carries it, as `hb.request.id`,
/// and `RequestContext.id` returns it) and into the `X-Request-Id` header of every response.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Longest client-supplied id that is echoed.
    static var maximumLength: Int { 128 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let id = request.headers[.requestID].flatMap(Self.acceptable) ?? Self.generate()
        var context = context
        context.logger[metadataKey: "hb.request.id"] = .string(id)
        let address = (context as? any ClientAddressProviding)?.clientAddress
        var response = try await RequestTrace.$requestID.withValue(id) {
            try await RequestTrace.$clientAddress.withValue(address) { try await next(request, context) }
        }
        response.headers[.requestID] = id
        return response
    }

    /// The client's id if it is 1…128 characters of letters, digits and `-_.:`, else nil.
    static func acceptable(_ candidate: String) -> String? {
        guard (1...maximumLength).contains(candidate.utf8.count) else { return nil }
        let allowed = candidate.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
        }
        return allowed ? candidate : nil
    }

    /// 128 random bits as 32 lowercase hex digits.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return String(format: "%016llx%016llx", high, low)
    }
}
