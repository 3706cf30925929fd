public import Foundation
public import Logging
public import PostgresNIO

/// Organisations on PostgreSQL.
public struct PostgresOrganizationRepository: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Whether an organisation with this id exists.
    public func exists(_ id: UUID) async throws -> Bool {
        let rows = try await client.query("SELECT EXISTS (SELECT 1 FROM organizations WHERE id = \(id))", logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    /// Creates an organisation and returns its id. - Throws: `StoreError.conflict("name")` for a taken name.
    public func create(name: String, domain: String?) async throws -> UUID {
        do {
            let rows = try await client.query(
                "INSERT INTO organizations (name, domain) VALUES (\(name), \(domain)) RETURNING id", logger: logger
            )
            for try await id in rows.decode(UUID.self) { return id }
            throw StoreError.notFound
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw StoreError.conflict("name")
        }
    }

    /// The organisation's name and whether it is active, or nil.
    public func summary(_ id: UUID) async throws -> (name: String, isActive: Bool)? {
        let rows = try await client.query("SELECT name, is_active FROM organizations WHERE id = \(id)", logger: logger)
        for try await (name, active) in rows.decode((String, Bool).self) { return (name, active) }
        return nil
    }
}
