import BifrostRuntime
import Foundation
public import HTTPTypes
public import Hummingbird

/// An RFC 9457 problem: the one shape every error response of the gateway takes.
///
/// `type` is a stable URN per kind of problem (`urn:bifrost:problem:validation`) that clients may switch on;
/// `detail` speaks to the caller and never carries internals. Throw a `Problem` from any handler or middleware;
/// `ProblemMiddleware` renders it, adding the request id.
public struct Problem: Error, Sendable {
    /// One offending input field, for validation problems.
    public struct FieldError: Sendable, Codable, Equatable {
        /// Dotted path of the field in the request (`input.email`, `items.0.id`).
        public var field: String
        /// What is wrong with it.
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: HTTPResponse.Status
    /// Last part of the `type` URN (`not-found`).
    public var kind: String
    public var title: String
    public var detail: String?
    public var errors: [FieldError]
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, kind: String, title: String, detail: String? = nil,
        errors: [FieldError] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// The `type` member: `urn:bifrost:problem:<kind>`.
    public var type: String { "urn:bifrost:problem:" + kind }
}

extension Problem {
    public static func badRequest(_ detail: String, errors: [FieldError] = []) -> Problem {
        Problem(.badRequest, kind: "bad-request", title: "Bad request", detail: detail, errors: errors)
    }

    public static func malformedJSON(_ detail: String) -> Problem {
        Problem(.badRequest, kind: "malformed-json", title: "Malformed JSON", detail: detail)
    }

    public static func validation(_ errors: [FieldError]) -> Problem {
        Problem(
            .unprocessableContent, kind: "validation", title: "Validation failed",
            detail: errors.count == 1 ? "1 field is invalid" : "\(errors.count) fields are invalid", errors: errors
        )
    }

    public static func notFound(_ detail: String = "There is nothing at this address.") -> Problem {
        Problem(.notFound, kind: "not-found", title: "Not found", detail: detail)
    }

    public static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> Problem {
        let names = allowed.map(\.rawValue).sorted()
        var headers = HTTPFields()
        headers[.allow] = names.joined(separator: ", ")
        return Problem(
            .methodNotAllowed, kind: "method-not-allowed", title: "Method not allowed",
            detail: "This address accepts " + names.joined(separator: ", ") + ".", headers: headers
        )
    }

    public static func payloadTooLarge(limit: Int) -> Problem {
        Problem(
            .contentTooLarge, kind: "payload-too-large", title: "Payload too large",
            detail: "The request body is larger than the limit of \(limit) bytes."
        )
    }

    public static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(.unsupportedMediaType, kind: "unsupported-media-type", title: "Unsupported media type", detail: detail)
    }

    /// A server-side failure; says nothing about its cause (the log has it, under the same request id).
    public static let internalError = Problem(
        .internalServerError, kind: "internal", title: "Internal server error",
        detail: "The server failed to handle this request. Quote the request id when reporting it."
    )

    public static func conflict(_ detail: String, errors: [FieldError] = []) -> Problem {
        Problem(.conflict, kind: "conflict", title: "Conflict", detail: detail, errors: errors)
    }

    /// An upstream service (an OAuth provider) failed.
    public static func badGateway(_ detail: String) -> Problem {
        Problem(.badGateway, kind: "bad-gateway", title: "Bad gateway", detail: detail)
    }

    public static func serviceUnavailable(_ detail: String) -> Problem {
        Problem(.serviceUnavailable, kind: "unavailable", title: "Service unavailable", detail: detail)
    }
}

extension Problem: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        render(requestID: context.id)
    }

    /// The `application/problem+json` response.
    public func render(requestID: String?) -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(
            status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body(requestID: requestID))))
    }

    /// The JSON body of the response.
    func body(requestID: String?) -> [UInt8] {
        let body = ProblemBody(
            type: type, title: title, status: Int(status.code), detail: detail,
            errors: errors.isEmpty ? nil : errors, requestID: requestID
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(body)) ?? Data())
    }
}

/// The JSON members of a problem, in RFC 9457 names (plus `errors` and `request_id`).
private struct ProblemBody: Encodable {
    var type: String
    var title: String
    var status: Int
    var detail: String?
    var errors: [Problem.FieldError]?
    var requestID: String?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, errors
        case requestID = "request_id"
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`: names one request across client, gateway and logs.
    public static let requestID = HTTPField.Name("X-Request-Id")!
}

extension Problem {
    /// 401 with a `WWW-Authenticate` challenge; `detail` says no more than needed.
    public static func unauthorized(_ detail: String = "Authentication is required.", error: String? = nil) -> Problem {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer realm=\"bifrost\"" + (error.map { ", error=\"\($0)\"" } ?? "")
        return Problem(.unauthorized, kind: "unauthorized", title: "Unauthorized", detail: detail, headers: headers)
    }

    public static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, kind: "forbidden", title: "Forbidden", detail: detail)
    }
}

extension Problem {
    /// 429 with `Retry-After` (whole seconds, rounded up).
    public static func tooManyRequests(retryAfter: Duration, detail: String) -> Problem {
        var headers = HTTPFields()
        headers[.retryAfter] = String(retryAfter.wholeSecondsRoundedUp)
        return Problem(
            .tooManyRequests, kind: "rate-limited", title: "Too many requests", detail: detail, headers: headers)
    }
}
