import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Carries cookies through the generated handlers as browsers write and read them. Generated code percent-encodes
/// the header values it sends, as URI components (a `Set-Cookie` of `a%3Db%3B%20Path...` is no cookie to a
/// browser), and hands a handler only the headers its operation declares. So `Set-Cookie` values leave decoded
/// again, and handlers read the request's `Cookie` header, as it arrived, from `requestCookies`.
struct CookieHeaders: ServerMiddleware {
    /// The request's `Cookie` header as the client sent it, while its operation is handled.
    @TaskLocal static var requestCookies: String?

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let cookies = request.headerFields[values: .cookie].joined(separator: "; ")
        var (response, responseBody) = try await Self.$requestCookies.withValue(cookies.isEmpty ? nil : cookies) {
            try await next(request, body, metadata)
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
