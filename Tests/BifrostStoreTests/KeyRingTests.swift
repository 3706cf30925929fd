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
    @Test func aWrongMasterKeyIsRefusedBeforeAnyKeyIsUsed() async throws {
        try await TestPostgres.withMigratedDatabase { _, client in
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
        try await TestPostgres.withMigratedDatabase { _, client in
            let master = SecretKey.random()
            let ring = KeyRing(client: client, master: master, logger: TestPostgres.logger)
            try await ring.open()
            let orgA = try await PostgresOrganizationRepository(client: client, logger: TestPostgres.logger).create(
                name: "A", domain: nil
            ).id
            let orgB = try await PostgresOrganizationRepository(client: client, logger: TestPostgres.logger).create(
                name: "B", domain: nil
            ).id
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
            let rows = try await client.query(
                "SELECT wrapped FROM data_keys WHERE organization_id = \(orgA)", logger: TestPostgres.logger)
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
            await #expect(throws: CryptoError.authenticationFailed) {
                _ = try await fresh.dataKey(for: .organization(orgB))
            }
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

/// Rotation: a new master key re-wraps every data key online and resumably; a data key's rotation re-encrypts its
/// scope's values.
@Suite struct KeyRotationTests {
    private let logger = TestPostgres.logger

    @Test func aNewMasterKeyIsRegisteredThenEveryDataKeyIsRewrappedUnderIt() async throws {
        try await TestPostgres.withMigratedDatabase { _, client in
            let old = SecretKey.random()
            let first = KeyRing(client: client, master: old, logger: logger)
            try await first.open()
            let organizations = PostgresOrganizationRepository(client: client, logger: logger)
            var scopes: [Scope] = [.global]
            for name in ["A", "B", "C"] {
                scopes.append(.organization(try await organizations.create(name: name, domain: nil).id))
            }
            let writer = PostgresSecretRepository(client: client, keys: first, logger: logger)
            for scope in scopes {
                try await writer.put("token", value: "value of \(scope)", description: nil, in: scope, by: "test")
            }

            // A new key on its own is a wrong key; with the old one as previous it becomes version 2.
            let new = SecretKey.random()
            await #expect(throws: KeyRing.Failure.wrongMasterKey(version: 1)) {
                try await KeyRing(client: client, master: new, logger: logger).open()
            }
            let rotating = KeyRing(client: client, master: new, previous: [old], logger: logger)
            try await rotating.open()
            // From now on the old key alone is stale, and the new one alone lacks what wraps the data keys.
            await #expect(throws: KeyRing.Failure.staleMasterKey(configured: 1, newest: 2)) {
                try await KeyRing(client: client, master: old, logger: logger).open()
            }
            await #expect(throws: KeyRing.Failure.missingMasterKey(version: 1, dataKeys: 4)) {
                try await KeyRing(client: client, master: new, logger: logger).open()
            }
            // Both keys read every value while the data keys are re-wrapped.
            let during = PostgresSecretRepository(client: client, keys: rotating, logger: logger)
            for scope in scopes { #expect(try await during.value("token", for: scope) == "value of \(scope)") }

            var seen: [RotationProgress] = []
            #expect(try await rotating.rewrapDataKeys(batchSize: 3) { seen.append($0) } == 4)
            #expect(seen == [RotationProgress(done: 3, total: 4), RotationProgress(done: 4, total: 4)])
            #expect(try await rotating.rewrapDataKeys() == 0)

            // The new key alone now opens the ring and every value.
            let after = KeyRing(client: client, master: new, logger: logger)
            try await after.open()
            let reader = PostgresSecretRepository(client: client, keys: after, logger: logger)
            for scope in scopes { #expect(try await reader.value("token", for: scope) == "value of \(scope)") }
            let status = try await after.status()
            #expect(status.masterVersions.map(\.dataKeys) == [0, 4])
            #expect(status.masterVersions.map(\.isConfigured) == [false, true])
            #expect(status.currentMasterVersion == 2)
            #expect(status.scopes == 4)
        }
    }

    @Test func aDataKeyRotationReencryptsThatScopesValuesAndStatusShowsStragglers() async throws {
        try await TestPostgres.withMigratedDatabase { _, client in
            let master = SecretKey.random()
            let ring = KeyRing(client: client, master: master, logger: logger)
            let organizations = PostgresOrganizationRepository(client: client, logger: logger)
            let a = Scope.organization(try await organizations.create(name: "A", domain: nil).id)
            let b = Scope.organization(try await organizations.create(name: "B", domain: nil).id)
            let secrets = PostgresSecretRepository(client: client, keys: ring, logger: logger)
            let config = PostgresConfigRepository(client: client, keys: ring, logger: logger)
            for index in 1...5 {
                try await secrets.put("s\(index)", value: "secret \(index)", description: nil, in: a, by: "test")
            }
            try await config.put(
                "api_token", value: .string("config secret"), type: .secret, description: nil, in: a, by: "test")
            try await config.put(
                "api_url", value: .string("https://example.com"), type: .string, description: nil, in: a, by: "test")
            try await secrets.put("s1", value: "b's secret", description: nil, in: b, by: "test")

            // Another replica has A's keys cached from before the rotation.
            let replica = KeyRing(client: client, master: master, logger: logger)
            #expect(try await replica.dataKey(for: a).version == 1)

            var seen: [RotationProgress] = []
            let (version, count) = try await ring.rotateDataKey(of: a, batchSize: 2) { seen.append($0) }
            #expect(version == 2)
            #expect(count == 6)
            #expect(seen.map(\.done) == [2, 4, 5, 6])
            for index in 1...5 { #expect(try await secrets.value("s\(index)", for: a) == "secret \(index)") }
            #expect(try await config.value("api_token", for: a)?.value == .string("config secret"))
            #expect(try await secrets.value("s1", for: b) == "b's secret")
            let versions = try await client.query(
                "SELECT organization_id, data_key_version FROM secrets UNION ALL SELECT organization_id, data_key_version FROM config WHERE sealed IS NOT NULL",
                logger: logger
            )
            for try await (organization, keyVersion) in versions.decode((UUID?, Int32).self) {
                #expect(keyVersion == (organization == a.organizationID ? 2 : 1))
            }
            #expect(try await ring.status().valuesUnderOlderDataKeys == 0)

            // The replica that missed the news seals under version 1 until its cache expires (or the notification
            // reaches it): the status counts such a value, and the next rotation moves it.
            try await PostgresSecretRepository(client: client, keys: replica, logger: logger)
                .put("late", value: "late value", description: nil, in: a, by: "test")
            let straggling = try await ring.status()
            #expect(straggling.valuesUnderOlderDataKeys == 1)
            #expect(straggling.scopesWithOlderDataKeyValues == 1)
            #expect(try await ring.rotateDataKey(of: a).reencrypted == 7)
            #expect(try await secrets.value("late", for: a) == "late value")
            #expect(try await ring.status().valuesUnderOlderDataKeys == 0)
        }
    }
}
