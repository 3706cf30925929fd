import Foundation

/// The SDK service behind a name that this gateway does not provide yet: every call fails, saying so.
public struct UnavailableService: ConfigStore, SecretStore, OAuthTokens, FileStore, WorkflowHTTP {
    /// The service's name as errors show it (`config`, `secrets`, `oauth`, `files`, `http`).
    public let service: String

    /// A stand-in for `service`.
    public init(_ service: String) { self.service = service }

    private var error: WorkflowError { WorkflowError("The \(service) service is not available in this gateway yet.") }

    /// Throws `WorkflowError`, saying the service is not available.
    public func get(_ key: String, default defaultValue: JSONValue?) async throws -> JSONValue? { throw error }
    /// Throws `WorkflowError`, saying the service is not available.
    public func set(_ key: String, _ value: JSONValue) async throws { throw error }
    /// Throws `WorkflowError`, saying the service is not available.
    public func get(_ name: String) async throws -> String? { throw error }
    /// Throws `WorkflowError`, saying the service is not available.
    public func set(_ name: String, _ value: String) async throws { throw error }
    /// Throws `WorkflowError`, saying the service is not available.
    public func getToken(_ connection: String) async throws -> OAuthToken? { throw error }
    /// Throws `WorkflowError`, saying the service is not available.
    public func write(_ path: String, _ contents: [UInt8], location: FileLocation) async throws { throw error }
    /// Throws `WorkflowError`, saying the service is not available.
    public func read(_ path: String, location: FileLocation) async throws -> [UInt8] { throw error }
    /// Throws `WorkflowError`, saying the service is not available.
    public func list(_ folder: String, location: FileLocation) async throws -> [String] { throw error }
    /// Throws `WorkflowError`, saying the service is not available.
    public func delete(_ path: String, location: FileLocation) async throws -> Bool { throw error }
    /// Throws `WorkflowError`, saying the service is not available.
    public func send(_ request: OutboundRequest) async throws -> OutboundResponse { throw error }
}
