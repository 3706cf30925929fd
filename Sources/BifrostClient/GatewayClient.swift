public import Foundation
public import HTTPTypes
import OpenAPIAsyncHTTPClient
public import OpenAPIRuntime

extension Client {
    /// A client of the gateway at `serverURL` (its origin, e.g. `https://bifrost.example.com`) sending `apiKey`
    /// with every request, over AsyncHTTPClient's shared client.
    ///
    /// ```swift
    /// let bifrost = Client.gateway(at: URL(string: "https://bifrost.example.com")!, apiKey: key)
    /// let organizations = try await bifrost.listOrganizations().ok.body.json
    /// ```
    /// - Parameter organizationID: the organisation a platform key acts in (`X-Organization-Id`); nil for the
    ///   key's own organisation, or global scope.
    public static func gateway(at serverURL: URL, apiKey: String, organizationID: UUID? = nil) -> Client {
        Client(
            serverURL: serverURL, transport: AsyncHTTPClientTransport(),
            middlewares: [APIKeyMiddleware(key: apiKey, organizationID: organizationID)]
        )
    }
}

/// Sends an API key (`X-Bifrost-Key`), and the organisation a platform key acts in, with every request.
public struct APIKeyMiddleware: ClientMiddleware {
    private let key: String
    private let organizationID: UUID?

    public init(key: String, organizationID: UUID? = nil) {
        self.key = key
        self.organizationID = organizationID
    }

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if let name = HTTPField.Name("X-Bifrost-Key") { request.headerFields[name] = key }
        if let organizationID, let name = HTTPField.Name("X-Organization-Id") {
            request.headerFields[name] = organizationID.uuidString.lowercased()
        }
        return try await next(request, body, baseURL)
    }
}
