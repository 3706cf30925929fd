public import Bifrost
public import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// Files on PostgreSQL, per scope (an organisation's, or global): the `workspace`, kept, and each run's `temp`
/// space, removed when the run ends. Sizes are limited per file and per scope (both spaces counted); a write that
/// would exceed either is refused, and concurrent writes to one scope are counted one at a time.
public struct PostgresFileRepository: Sendable {
    /// The size limits, in bytes.
    public struct Limits: Sendable, Hashable {
        public var maximumFileSize: Int
        public var maximumScopeSize: Int

        public init(maximumFileSize: Int = 10 << 20, maximumScopeSize: Int = 1 << 30) {
            self.maximumFileSize = maximumFileSize
            self.maximumScopeSize = maximumScopeSize
        }
    }

    /// A write over a limit.
    public enum LimitExceeded: Error, Sendable, Hashable, CustomStringConvertible {
        case file(size: Int, limit: Int)
        case scope(limit: Int)

        public var description: String {
            switch self {
            case .file(let size, let limit): "the file has \(size) bytes; the limit is \(limit) bytes per file"
            case .scope(let limit): "the organisation's files would exceed their limit of \(limit) bytes in all"
            }
        }
    }

    /// Which files: a scope's workspace, or one run's temporary space.
    public struct Space: Sendable, Hashable {
        public var scope: Scope
        public var location: FileLocation
        /// The run owning a `temp` space.
        public var execution: UUID?

        public static func workspace(_ scope: Scope) -> Space {
            Space(scope: scope, location: .workspace, execution: nil)
        }

        public static func temp(_ scope: Scope, execution: UUID) -> Space {
            Space(scope: scope, location: .temp, execution: execution)
        }
    }

    private let client: PostgresClient
    private let limits: Limits
    private let logger: Logger

    public init(client: PostgresClient, limits: Limits = Limits(), logger: Logger) {
        self.client = client
        self.limits = limits
        self.logger = logger
    }

    /// Writes (or replaces) `path` in `space`. - Throws: `LimitExceeded`.
    public func write(_ path: StoredFilePath, _ contents: [UInt8], in space: Space, by actor: String) async throws {
        guard contents.count <= limits.maximumFileSize else {
            throw LimitExceeded.file(size: contents.count, limit: limits.maximumFileSize)
        }
        let organization = space.scope.organizationID
        try await client.transaction(logger: logger) { connection in
            // One writer per scope at a time, so two writes cannot both fit under the limit and together exceed it.
            try await connection.tracedQuery(
                "SELECT pg_advisory_xact_lock(hashtextextended('bifrost-files:' || \(Scope.lockName(organization)), 0))",
                logger: logger
            )
            let used = try await connection.tracedQuery(
                """
                SELECT coalesce(sum(size), 0)::bigint FROM files
                WHERE organization_id IS NOT DISTINCT FROM \(organization)
                    AND NOT (location = \(space.location.rawValue) AND execution_id IS NOT DISTINCT FROM \(space.execution)
                        AND path = \(path.text))
                """,
                logger: logger
            )
            for try await others in used.decode(Int64.self) where Int(others) + contents.count > limits.maximumScopeSize
            {
                throw LimitExceeded.scope(limit: limits.maximumScopeSize)
            }
            try await connection.tracedQuery(
                """
                INSERT INTO files (organization_id, location, execution_id, path, content, size, updated_by)
                VALUES (\(organization), \(space.location.rawValue), \(space.execution), \(path.text),
                    \(ByteBuffer(bytes: contents)), \(contents.count), \(actor))
                ON CONFLICT (coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), location,
                    coalesce(execution_id, '00000000-0000-0000-0000-000000000000'::uuid), path)
                DO UPDATE SET content = excluded.content, size = excluded.size, updated_at = now(),
                    updated_by = excluded.updated_by
                """,
                logger: logger
            )
        }
    }

    /// The contents of `path` in `space`; nil when there is no such file.
    public func read(_ path: StoredFilePath, in space: Space) async throws -> [UInt8]? {
        let rows = try await client.tracedQuery(
            Self.query("SELECT content FROM files", in: space, path: path.text), logger: logger)
        for try await content in rows.decode(ByteBuffer.self) { return Array(content.readableBytesView) }
        return nil
    }

    /// The files of `space` in `folder` and below (every file for nil), by path.
    public func list(in space: Space, folder: StoredFilePath? = nil) async throws -> [StoredFile] {
        let prefix = folder.map { $0.text + "/" } ?? ""
        let rows = try await client.tracedQuery(
            Self.query(
                "SELECT path, size, updated_at, updated_by FROM files", in: space, pathStartingWith: prefix,
                then: "ORDER BY path"
            ),
            logger: logger
        )
        var files: [StoredFile] = []
        for try await (path, size, updated, by) in rows.decode((String, Int64, Date, String).self) {
            files.append(StoredFile(path: path, size: Int(size), updatedAt: updated, updatedBy: by))
        }
        return files
    }

    /// Deletes `path` from `space`. - Returns: whether there was one.
    public func delete(_ path: StoredFilePath, in space: Space) async throws -> Bool {
        let rows = try await client.tracedQuery(
            Self.query("DELETE FROM files", in: space, path: path.text, then: "RETURNING path"), logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    /// Deletes run `execution`'s temporary files (when it ends).
    public func deleteTemporaryFiles(of execution: UUID) async throws {
        try await client.tracedQuery(
            "DELETE FROM files WHERE location = 'temp' AND execution_id = \(execution)", logger: logger)
    }

    /// Deletes temporary files older than `age` whose run is neither pending nor running: those of runs that
    /// ended with their process. - Returns: how many.
    public func deleteOrphanedTemporaryFiles(olderThan age: Duration) async throws -> Int {
        try await withDeadline(.seconds(30)) { try await deleteOrphans(olderThan: age) }
    }

    private func deleteOrphans(olderThan age: Duration) async throws -> Int {
        let rows = try await client.tracedQuery(
            """
            DELETE FROM files AS f WHERE f.location = 'temp'
                AND f.created_at < now() - make_interval(secs => \(Double(age.components.seconds)))
                AND NOT EXISTS (
                    SELECT 1 FROM executions AS e WHERE e.id = f.execution_id AND e.status IN ('Pending', 'Running')
                )
            RETURNING 1
            """,
            logger: logger
        )
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    /// `head` (a statement on `files`) limited to `space`'s file at `path`, then `tail`.
    private static func query(_ head: String, in space: Space, path: String, then tail: String = "") -> PostgresQuery {
        """
        \(unescaped: head) WHERE organization_id IS NOT DISTINCT FROM \(space.scope.organizationID)
            AND location = \(space.location.rawValue) AND execution_id IS NOT DISTINCT FROM \(space.execution)
            AND path = \(path) \(unescaped: tail)
        """
    }

    /// `head` limited to `space`'s files whose path starts with `prefix`, then `tail`.
    private static func query(_ head: String, in space: Space, pathStartingWith prefix: String, then tail: String)
        -> PostgresQuery
    {
        """
        \(unescaped: head) WHERE organization_id IS NOT DISTINCT FROM \(space.scope.organizationID)
            AND location = \(space.location.rawValue) AND execution_id IS NOT DISTINCT FROM \(space.execution)
            AND starts_with(path, \(prefix)) \(unescaped: tail)
        """
    }
}

/// A file as listings show it.
public struct StoredFile: Sendable, Hashable {
    public var path: String
    public var size: Int
    public var updatedAt: Date
    public var updatedBy: String
}

extension Scope {
    /// A name for `organization`'s scope in lock keys.
    fileprivate static func lockName(_ organization: UUID?) -> String {
        organization.map { $0.lowercasedText } ?? "global"
    }
}
