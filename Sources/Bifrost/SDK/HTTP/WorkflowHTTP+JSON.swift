public import Foundation

extension WorkflowHTTP {
    /// `GET url`, with `Accept: application/json`, decoding a 2xx answer's JSON body as `type`.
    /// - Throws: what `send` throws; `OutboundHTTPError` when the status is not 2xx or the body is not a `type`.
    public func get<Value: Decodable>(
        _ url: URL, as type: Value.Type, authorization: OutboundAuthorization? = nil, timeout: Duration? = nil
    ) async throws -> Value {
        let request = OutboundRequest(
            .get, url, headers: ["Accept": "application/json"], timeout: timeout, authorization: authorization)
        return try await send(request).requireSuccess().decode(type)
    }

    /// Sends `json` encoded as the body (`Content-Type: application/json`) with `method` to `url`, and decodes a
    /// 2xx answer's JSON body as `type`.
    /// - Throws: what `send` throws, or an `EncodingError` when `json` cannot be encoded; `OutboundHTTPError` when
    ///   the status is not 2xx or the body is not a `type`.
    public func send<Value: Decodable>(
        _ method: OutboundRequest.Method, _ url: URL, json: some Encodable, as type: Value.Type,
        authorization: OutboundAuthorization? = nil, timeout: Duration? = nil
    ) async throws -> Value {
        try await send(method, url, json: json, authorization: authorization, timeout: timeout).decode(type)
    }

    /// Sends `json` encoded as the body with `method` to `url` and returns the 2xx answer (for answers without
    /// a body, such as 204).
    /// - Throws: what `send` throws, or an `EncodingError`; `OutboundHTTPError` when the status is not 2xx.
    @discardableResult
    public func send(
        _ method: OutboundRequest.Method, _ url: URL, json: some Encodable,
        authorization: OutboundAuthorization? = nil, timeout: Duration? = nil
    ) async throws -> OutboundResponse {
        let request = OutboundRequest(
            method, url, headers: ["Content-Type": "application/json", "Accept": "application/json"],
            body: try JSONEncoder().encode(json), timeout: timeout, authorization: authorization
        )
        return try await send(request).requireSuccess()
    }
}
