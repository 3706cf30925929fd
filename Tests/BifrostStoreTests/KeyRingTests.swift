import BifrostCrypto
import BifrostStore
import BifrostTestSupport
import Foundation
import NIOCore
import PostgresNIO
import Testing

/// Envelope keys in PostgreSQL: the master key is checked before use, data keys are per scope, stored wrapped,
/// and bound to their scope.
@Suite struct KeyRingTests {
    private func withDatabase(_ body: @Sendable (PostgresClient) async throws -> Void) async throws {
        try await TestPostgres.withDatabase { url in
            try await TestPostgres.withClient(url) { client in
                try await Migrator(client: client, migrations: MigrationCatalog.bundled(), logger: TestPostgres.logger).migrate()
                try await body(client)
            }
        }
    }

    @Test func aWrongMasterKeyIsRefusedBeforeAnyKeyIsUsed() async throws {
        try await withDatabase { client in
            let master = SecretKey.random()
            try await KeyRing(client: client, master: master, logger: TestPostgres.logger).open()
            // The same key again: fine. Another key: refused, naming the version.
            try await KeyRing(client: client, master: master, logger: TestPostgres.logger).open()
            await #expect(throws: KeyRing.Failure.self) {
                try await KeyRing(client: client, master: SecretKey.random(), logger: TestPostgres.logger).open()
            }
            // A ring nobody opened checks its key on first use.
            let unopened = KeyRing(client: client, master: SecretKey.random(), logger: TestPostgres.logger)
            await #expect(throws: KeyRing.Failure.self) { _ = try await unopened.dataKey(for: .global) }
        }
    }

    @Test func dataKeysArePerScopeStoredWrappedAndBoundToTheirScope() async throws {
        try await withDatabase { client in
            let master = SecretKey.random()
            let ring = KeyRing(client: client, master: master, logger: TestPostgres.logger)
            try await ring.open()
            let orgA = try await PostgresOrganizationRepository(client: client, logger: TestPostgres.logger).create(name: "A", domain: nil).id
            let orgB = try await PostgresOrganizationRepository(client: client, logger: TestPostgres.logger).create(name: "B", domain: nil).id
            let a = try await ring.dataKey(for: .organization(orgA))
            let b = try await ring.dataKey(for: .organization(orgB))
            let global = try await ring.dataKey(for: .global)
            let bytes = { (key: SecretKey) in key.withUnsafeBytes { Array($0) } }
            #expect(Set([bytes(a.key), bytes(b.key), bytes(global.key)]).count == 3)

            // Another replica (a new ring, same master key) unwraps the same keys.
            let other = KeyRing(client: client, master: master, logger: TestPostgres.logger)
            try await other.open()
            #expect(bytes(try await other.dataKey(for: .organization(orgA)).key) == bytes(a.key))

            // The stored form is not the key, and moved to another organisation it does not unwrap.
            let rows = try await client.query("SELECT wrapped FROM data_keys WHERE organization_id = \(orgA)", logger: TestPostgres.logger)
            for try await buffer in rows.decode(ByteBuffer.self) {
                let wrapped = Array(buffer.readableBytesView)
                #expect(wrapped.count == 12 + 32 + 16)
                #expect(!wrapped.windows(ofCount: 32).contains { Array($0) == bytes(a.key) })
            }
            try await client.query(
                "UPDATE data_keys SET wrapped = (SELECT wrapped FROM data_keys WHERE organization_id = \(orgA)) WHERE organization_id = \(orgB)",
                logger: TestPostgres.logger
            )
            let fresh = KeyRing(client: client, master: master, logger: TestPostgres.logger)
            try await fresh.open()
            await #expect(throws: CryptoError.authenticationFailed) { _ = try await fresh.dataKey(for: .organization(orgB)) }
        }
    }
}

extension Array {
    /// Every run of `count` consecutive elements.
    fileprivate func windows(ofCount count: Int) -> [ArraySlice<Element>] {
        guard self.count >= count else { return [] }
        return (0...(self.count - count)).map { self[$0..<($0 + count)] }
    }
}
