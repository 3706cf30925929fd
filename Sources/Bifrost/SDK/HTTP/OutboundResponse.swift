public import Foundation

/// The answer to an `OutboundRequest`: status, headers and the whole body.
public struct OutboundResponse: Sendable, Hashable {
    /// The status code (200, 404, …).
    public var status: Int
    /// The answer's header fields.
    public var headers: OutboundHeaders
    /// The body, whole (the gateway bounds its size).
    public var body: Data
    /// The method of the request answered, for errors.
    public var method: OutboundRequest.Method
    /// The URL of the request answered, for errors.
    public var url: URL
    /// How many times the gateway sent the request to get this answer (more than one after retries).
    public var attempts: Int

    /// An answer of `status` to `method` at `url`.
    public init(
        status: Int, headers: OutboundHeaders = [:], body: Data = Data(), method: OutboundRequest.Method = .get,
        url: URL, attempts: Int = 1
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.method = method
        self.url = url
        self.attempts = attempts
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// This answer, when its status is 2xx.
    /// - Throws: `OutboundHTTPError` naming the method, the URL (without credentials or query values) and the
    ///   status otherwise.
    @discardableResult
    public func requireSuccess() throws -> Self {
        guard isSuccess else {
            throw OutboundHTTPError(method: method, url: url, reason: .status(status), attempts: attempts)
        }
        return self
    }

    /// The body decoded from JSON as `type`.
    /// - Throws: `OutboundHTTPError` (`.undecodable`) saying what did not match, with the method and URL.
    public func decode<Value: Decodable>(_ type: Value.Type, using decoder: JSONDecoder = JSONDecoder()) throws
        -> Value
    {
        do {
            return try decoder.decode(type, from: body)
        } catch let error as DecodingError {
            throw OutboundHTTPError(
                method: method, url: url, reason: .undecodable(type: "\(type)", problem: error.summary))
        } catch {
            throw OutboundHTTPError(
                method: method, url: url, reason: .undecodable(type: "\(type)", problem: "\(error)"))
        }
    }
}

extension DecodingError {
    /// What did not match, and where, in a line.
    fileprivate var summary: String {
        func path(_ context: Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "the top level" : String(path.drop { $0 == "." })
        }
        switch self {
        case .keyNotFound(let key, let context): return "no \"\(key.stringValue)\" at \(path(context))"
        case .typeMismatch(let type, let context): return "\(path(context)) is not \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) is null, not \(type)"
        case .dataCorrupted(let context): return "\(context.debugDescription) (at \(path(context)))"
        @unknown default: return "\(self)"
        }
    }
}
