import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Carries what browsers send and read through the generated handlers, which see only the headers their operation
/// declares. Generated code also percent-encodes the header values it sends, as URI components (a `Set-Cookie` of
/// `a%3Db%3B%20Path...` is no cookie to a browser), so `Set-Cookie` and `Location` values leave decoded again. Handlers read the
/// request's `Cookie` header, as it arrived, from `requestCookies`, and whether a person's browser is loading a
/// page (rather than a script or client calling) from `isPageNavigation`.
struct BrowserHeaders: ServerMiddleware {
    /// The request's `Cookie` header as the client sent it, while its operation is handled.
    @TaskLocal static var requestCookies: String?
    /// Whether the request loads a page in a browser: its `Accept` header asks for HTML.
    @TaskLocal static var isPageNavigation = false

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let cookies = request.headerFields[values: .cookie].joined(separator: "; ")
        let navigation = request.headerFields[values: .accept].contains { $0.contains("text/html") }
        var (response, responseBody) = try await Self.$requestCookies.withValue(cookies.isEmpty ? nil : cookies) {
            try await Self.$isPageNavigation.withValue(navigation) { try await next(request, body, metadata) }
        }
        if let location = response.headerFields[.location] {
            response.headerFields[.location] = location.removingPercentEncoding ?? location
        }
        let setCookies = response.headerFields[values: .setCookie]
        if !setCookies.isEmpty {
            response.headerFields[.setCookie] = nil
            for cookie in setCookies {
                response.headerFields.append(
                    HTTPField(name: .setCookie, value: cookie.removingPercentEncoding ?? cookie))
            }
        }
        return (response, responseBody)
    }
}
