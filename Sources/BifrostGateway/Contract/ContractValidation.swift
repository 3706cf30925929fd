import Bifrost
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Enforces what `openapi.yaml` declares about every generated operation's input before its handler runs: the
/// bounds, lengths, patterns and item counts of query and path parameters and of JSON body members, which the
/// generated server does not check. A broken rule is answered 422 naming every offending field.
///
/// The same rules serve the routes beside the generated handlers (`ExecuteRoute`) through `problems(of:…)`.
struct ContractValidation: ServerMiddleware {
    let rules: ContractRules
    /// The largest body read for checking (`BodyLimitMiddleware` has refused larger ones already).
    let maximumBodySize: Int

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let operation = rules.operations[operationID] else { return try await next(request, body, metadata) }
        var problems: [Problem.FieldError] = []
        for (name, value) in Self.queryItems(of: request.path ?? "") {
            problems += (operation.query[name] ?? .unconstrained).problems(ofParameter: value, at: name)
        }
        for (name, raw) in metadata.pathParameters {
            let value = String(raw).removingPercentEncoding ?? String(raw)
            problems += (operation.path[name] ?? .unconstrained).problems(ofParameter: value, at: name)
        }
        var body = body
        if let schema = operation.body, let received = body {
            let bytes = try await ArraySlice<UInt8>(collecting: received, upTo: maximumBodySize)
            // Text that is not JSON is left to the generated decoder, which answers it as malformed.
            if let document = try? JSONValue(parsing: bytes) {
                problems += schema.problems(of: document, at: "(body)")
            }
            body = HTTPBody(bytes)
        }
        guard problems.isEmpty else { throw Problem.validation(problems) }
        return try await next(request, body, metadata)
    }

    /// The problems of a JSON body of `operationID`, for routes served beside the generated handlers.
    func problems(ofBody document: JSONValue, operationID: String) -> [Problem.FieldError] {
        (rules.operations[operationID]?.body ?? .unconstrained).problems(of: document, at: "(body)")
    }

    /// The name and percent-decoded value of every item of a request target's query (`+` is a space, as in
    /// forms); an item that does not decode is kept as sent.
    static func queryItems(of target: String) -> [(String, String)] {
        // Searched as bytes: a search by `Character` breaks graphemes, about 15 instructions a character, on
        // every request's path.
        guard let start = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return [] }
        return target[target.utf8.index(after: start)...].split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decoded(parts[0]), parts.count > 1 ? decoded(parts[1]) : "")
        }
    }
}
