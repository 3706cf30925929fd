import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// Sends JSON requests as one caller, optionally inside an organisation.
struct AdminAPITestClient: Sendable {
    let client: any TestClientProtocol
    let token: String
    var organization: UUID?

    func callAsFunction(
        _ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil
    ) async throws -> (status: HTTPResponse.Status, json: Any?) {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if let organization { headers[HTTPField.Name("X-Organization-Id")!] = organization.uuidString }
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        }
        return try await client.execute(uri: uri, method: method, headers: headers, body: buffer) { response in
            let text = String(buffer: response.body)
            return (response.status, text.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(text.utf8)))
        }
    }

    /// The answer's status, content type and body as bytes (for downloads).
    func raw(_ method: HTTPRequest.Method, _ uri: String) async throws
        -> (status: HTTPResponse.Status, contentType: String?, body: [UInt8])
    {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if let organization { headers[HTTPField.Name("X-Organization-Id")!] = organization.uuidString }
        return try await client.execute(uri: uri, method: method, headers: headers, body: nil) { response in
            (response.status, response.headers[.contentType], Array(response.body.readableBytesView))
        }
    }

    func inOrganization(_ id: UUID?) -> AdminAPITestClient {
        var copy = self
        copy.organization = id
        return copy
    }
}
