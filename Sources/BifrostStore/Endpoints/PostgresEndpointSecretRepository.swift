import BifrostCrypto
public import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// Signing secrets of endpoint-enabled workflows, per organisation, sealed under its data key; and the webhook
/// deliveries seen, against replays. Creating or retiring a secret notifies `channel` with the workflow's name;
/// a change to an organisation's standing (deactivated, reactivated, deleted) notifies it with no name.
public struct PostgresEndpointSecretRepository: Sendable {
    /// The channel on which replicas hear that a workflow's secrets changed (payload: the workflow's name), or
    /// that any may have (empty payload).
    public static let channel = "bifrost_endpoint_secrets"

    /// A secret as listings show it: never its value.
    public struct Listed: Sendable, Hashable {
        public var id: String
        public var createdAt: Date
        public var createdBy: String
    }

    /// An active secret, opened, for verifying signatures.
    public struct Active: Sendable, Hashable {
        public var id: String
        public var organizationID: UUID
        public var secret: [UInt8]
    }

    /// One delivery to record.
    private struct Delivery: Sendable, Hashable {
        var organization: UUID
        var workflow: String
        var id: String
    }

    private let client: PostgresClient
    private let keys: KeyRing
    private let logger: Logger
    /// Deliveries arriving together are recorded in one statement (`GroupCommit`).
    private let deliveries: GroupCommit<Delivery, Bool>

    public init(client: PostgresClient, keys: KeyRing, logger: Logger) {
        self.client = client
        self.keys = keys
        self.logger = logger
        deliveries = GroupCommit { batch in try await Self.record(batch, client: client, logger: logger) }
    }

    /// Makes a new random secret for `workflow` in `organization`. - Returns: its id and bytes (shown once).
    public func create(for workflow: String, in organization: UUID, by actor: String) async throws
        -> (id: String, secret: [UInt8])
    {
        let id = "whs_" + UUID().lowercasedText.replacingOccurrences(of: "-", with: "")
        let secret = SecureRandom.bytes(32)
        let (sealed, version) = try await keys.seal(
            Base64.encode(secret), kind: "webhook-secret", name: id, for: .organization(organization)
        )
        try await client.tracedQuery(
            """
            WITH saved AS (
                INSERT INTO endpoint_secrets (id, organization_id, workflow, sealed, data_key_version, created_by)
                VALUES (\(id), \(organization), \(workflow), \(ByteBuffer(bytes: sealed)), \(version), \(actor))
                RETURNING workflow
            )
            SELECT pg_notify(\(Self.channel), workflow) FROM saved
            """,
            logger: logger
        )
        return (id, secret)
    }

    /// The active secrets of `workflow` in `organization`, oldest first.
    public func list(for workflow: String, in organization: UUID) async throws -> [Listed] {
        let rows = try await client.tracedQuery(
            """
            SELECT id, created_at, created_by FROM endpoint_secrets
            WHERE organization_id = \(organization) AND workflow = \(workflow) AND retired_at IS NULL
            ORDER BY created_at, id
            """,
            logger: logger
        )
        var listed: [Listed] = []
        for try await (id, created, by) in rows.decode((String, Date, String).self) {
            listed.append(Listed(id: id, createdAt: created, createdBy: by))
        }
        return listed
    }

    /// Retires secret `id`. - Returns: whether `organization` had it active for `workflow`.
    public func retire(_ id: String, of workflow: String, in organization: UUID) async throws -> Bool {
        let rows = try await client.tracedQuery(
            """
            WITH retired AS (
                UPDATE endpoint_secrets SET retired_at = now()
                WHERE id = \(id) AND organization_id = \(organization) AND workflow = \(workflow) AND retired_at IS NULL
                RETURNING workflow
            )
            SELECT workflow, pg_notify(\(Self.channel), workflow) FROM retired
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    /// Every active secret of `workflow` in every active organisation, opened: a deactivated organisation's
    /// secrets verify nothing until it is reactivated.
    public func active(for workflow: String) async throws -> [Active] {
        let rows = try await client.tracedQuery(
            """
            SELECT s.id, s.organization_id, s.sealed, s.data_key_version
            FROM endpoint_secrets AS s JOIN organizations AS o ON o.id = s.organization_id AND o.is_active
            WHERE s.workflow = \(workflow) AND s.retired_at IS NULL ORDER BY s.created_at, s.id
            """,
            logger: logger
        )
        var active: [Active] = []
        for try await (id, organization, sealed, version) in rows.decode((String, UUID, ByteBuffer, Int32).self) {
            let text = try await keys.open(
                sealed.readableBytesView, kind: "webhook-secret", name: id, of: .organization(organization),
                version: Int(version)
            )
            guard let secret = Base64.decode(text) else { continue }
            active.append(Active(id: id, organizationID: organization, secret: secret))
        }
        return active
    }

    /// Tells every replica (this one included) to forget every cached secret: after an organisation was
    /// deactivated, reactivated or deleted, whatever its secrets' workflows.
    public func announceOrganizationChange() async throws {
        try await client.tracedQuery("SELECT pg_notify(\(Self.channel), '')", logger: logger)
    }

    /// Records a delivery. - Returns: false when `webhookID` was seen before for this workflow and organisation.
    public func recordDelivery(_ webhookID: String, of workflow: String, in organization: UUID) async throws -> Bool {
        try await deliveries.submit(Delivery(organization: organization, workflow: workflow, id: webhookID))
    }

    /// Inserts a batch; a delivery is new when its row was inserted, and only its first occurrence in the batch.
    private static func record(_ batch: [Delivery], client: PostgresClient, logger: Logger) async throws -> [Bool] {
        let statement = RecordDeliveries(
            organizations: batch.map(\.organization), workflows: batch.map(\.workflow), ids: batch.map(\.id)
        )
        var inserted = Set<Delivery>()
        for try await delivery in try await client.tracedExecute(statement, logger: logger) {
            inserted.insert(delivery)
        }
        var unclaimed = inserted
        return batch.map { unclaimed.remove($0) != nil }
    }

    /// Inserts deliveries not seen before and returns them; prepared once per connection, so PostgreSQL plans it
    /// once rather than for every batch.
    ///
    /// Committed without waiting for the disk (`synchronous_commit` off for this transaction alone): whatever a
    /// delivery leads to (the run's record, a queued job) is committed synchronously afterwards, and that flush
    /// takes the delivery's earlier WAL with it. So a delivery whose answer reached the sender is durable; one
    /// lost in a database crash had no answer yet, and its sender's retry rightly runs.
    private struct RecordDeliveries: PostgresPreparedStatement {
        /// Given, so that each execution does not derive the name from the type again.
        static let name = "bifrost_record_deliveries"
        static let sql = """
            WITH asynchronous AS (SELECT set_config('synchronous_commit', 'off', true))
            INSERT INTO webhook_deliveries (organization_id, workflow, webhook_id)
            SELECT delivery.* FROM unnest($1::uuid[], $2::text[], $3::text[]) AS delivery, asynchronous
            ON CONFLICT DO NOTHING RETURNING organization_id, workflow, webhook_id
            """
        typealias Row = Delivery
        static let bindingDataTypes: [PostgresDataType] = [.uuidArray, .textArray, .textArray]

        var organizations: [UUID]
        var workflows: [String]
        var ids: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(organizations)
            bindings.append(workflows)
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (organization, workflow, id) = try row.decode((UUID, String, String).self)
            return Delivery(organization: organization, workflow: workflow, id: id)
        }
    }

    /// Forgets deliveries older than `age`. - Returns: how many.
    public func forgetDeliveries(olderThan age: Duration) async throws -> Int {
        try await withDeadline(.seconds(30)) { [client, logger] in
            let rows = try await client.tracedQuery(
                """
                DELETE FROM webhook_deliveries
                WHERE received_at < now() - make_interval(secs => \(Double(age.components.seconds))) RETURNING 1
                """,
                logger: logger
            )
            var count = 0
            for try await _ in rows { count += 1 }
            return count
        }
    }
}
