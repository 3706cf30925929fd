import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import OpenAPIRuntime

/// The generated client's transport over AsyncHTTPClient: enough for the tests (bodies up to 16 MiB).
struct AsyncHTTPClientTransport: ClientTransport {
    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws
        -> (HTTPResponse, HTTPBody?)
    {
        var outgoing = HTTPClientRequest(url: baseURL.absoluteString + (request.path ?? ""))
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headerFields { outgoing.headers.add(name: field.name.rawName, value: field.value) }
        if let body { outgoing.body = .bytes(ByteBuffer(bytes: try await [UInt8](collecting: body, upTo: 16 << 20))) }
        let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(30))
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return (
            HTTPResponse(status: .init(code: Int(response.status.code)), headerFields: fields),
            HTTPBody(Array(bytes.readableBytesView))
        )
    }
}
