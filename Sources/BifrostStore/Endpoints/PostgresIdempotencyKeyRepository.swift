import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// Endpoint answers stored under an `Idempotency-Key` for 24 hours (an older entry counts as absent).
public struct PostgresIdempotencyKeyRepository: Sendable {
    /// A stored answer.
    public struct Answer: Sendable, Hashable {
        public var status: Int
        public var contentType: String
        public var location: String?
        public var executionID: String?
        public var body: [UInt8]

        public init(status: Int, contentType: String, location: String?, executionID: String?, body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.location = location
            self.executionID = executionID
            self.body = body
        }
    }

    /// What a call with a key finds.
    public enum Reservation: Sendable, Hashable {
        /// The first call with this key: run it, then `complete`.
        case reserved
        /// The first call's answer.
        case answered(Answer)
        /// The first call is still running.
        case running
        /// The key was used with another request.
        case mismatch
    }

    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Reserves `key` for `caller`'s request (its digest `requestHash`), or says what holds it.
    public func reserve(_ key: String, caller: String, requestHash: [UInt8]) async throws -> Reservation {
        let inserted = try await client.tracedQuery(
            """
            INSERT INTO idempotency_keys (caller, key, request_hash) VALUES (\(caller), \(key), \(ByteBuffer(bytes: requestHash)))
            ON CONFLICT (caller, key) DO UPDATE SET request_hash = excluded.request_hash, status = NULL,
                content_type = NULL, location = NULL, execution_id = NULL, body = NULL, created_at = now()
            WHERE idempotency_keys.created_at < now() - interval '24 hours'
            RETURNING 1
            """,
            logger: logger
        )
        for try await _ in inserted { return .reserved }
        let rows = try await client.tracedQuery(
            """
            SELECT request_hash, status, content_type, location, execution_id, body FROM idempotency_keys
            WHERE caller = \(caller) AND key = \(key)
            """,
            logger: logger
        )
        for try await (hash, status, contentType, location, execution, body) in rows.decode(
            (ByteBuffer, Int32?, String?, String?, String?, ByteBuffer?).self
        ) {
            guard Array(hash.readableBytesView) == requestHash else { return .mismatch }
            guard let status else { return .running }
            return .answered(
                Answer(
                    status: Int(status), contentType: contentType ?? "application/json", location: location,
                    executionID: execution, body: body.map { Array($0.readableBytesView) } ?? []
                ))
        }
        return .running  // deleted between the two statements: the first call gave up; treat as still in flight
    }

    /// Stores the answer to the reserved call.
    public func complete(_ key: String, caller: String, with answer: Answer) async throws {
        try await client.tracedQuery(
            """
            UPDATE idempotency_keys SET status = \(answer.status), content_type = \(answer.contentType),
                location = \(answer.location), execution_id = \(answer.executionID), body = \(ByteBuffer(bytes: answer.body))
            WHERE caller = \(caller) AND key = \(key)
            """,
            logger: logger
        )
    }

    /// Gives the key up (the call failed before it ran anything), so that a repeat runs.
    public func release(_ key: String, caller: String) async throws {
        try await client.tracedQuery(
            "DELETE FROM idempotency_keys WHERE caller = \(caller) AND key = \(key) AND status IS NULL", logger: logger
        )
    }

    /// Deletes entries older than 24 hours. - Returns: how many.
    public func sweep() async throws -> Int {
        try await withDeadline(.seconds(30)) { [client, logger] in
            let rows = try await client.tracedQuery(
                "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours' RETURNING 1",
                logger: logger
            )
            var count = 0
            for try await _ in rows { count += 1 }
            return count
        }
    }
}
