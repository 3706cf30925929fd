import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

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
        var response = try await RequestTrace.$requestID.withValue(id) { try await next(request, context) }
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

    /// 32 lowercase hex digits: 64 random bits chosen when the process starts, then a counter, so ids are
    /// unique across replicas and restarts without asking the system for randomness on every request.
    static func generate() -> String {
        let sequence = RequestIDSequence.next.add(1, ordering: .relaxed).newValue
        return RequestIDSequence.prefix + RequestIDSequence.hex(sequence)
    }
}

/// The process-wide parts of generated request ids.
private enum RequestIDSequence {
    static let prefix = hex(UInt64.random(in: .min ... .max))
    static let next = Atomic<UInt64>(0)

    /// `value` as 16 lowercase hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.utf8.count) + digits
    }
}
