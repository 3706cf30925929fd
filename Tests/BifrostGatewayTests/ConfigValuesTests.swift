import Bifrost
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import BifrostEngine

/// Configuration values through the API and in runs: typed, per scope with global fallback, secrets hidden.
@Suite struct ConfigValuesTests {
    @Test func valuesAreTypedScopedAndFallBackToGlobal() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            #expect(
                try await world.admin(
                    .put, "/api/config/api_url", ["value": "https://global.example", "type": "string"]
                ).status == .ok)
            #expect(try await world.adminA(.put, "/api/config/page_size", ["value": 50, "type": "int"]).status == .ok)
            #expect(
                try await world.adminA(.put, "/api/config/page_size", ["value": "fifty", "type": "int"]).status
                    == .unprocessableContent)
            #expect(
                try await world.adminA(.put, "/api/config/bad-key", ["value": 1, "type": "int"]).status
                    == .unprocessableContent)
            let token = "cfg-secret-\(UUID().uuidString)"
            let (status, stored) = try await world.adminA(
                .put, "/api/config/vendor_token", ["value": token, "type": "secret"])
            #expect(status == .ok)
            #expect((stored as? [String: Any])?["value"] as? String == "[SECRET]")
            let (_, listed) = try await world.adminA(.get, "/api/config")
            let entries = try #require(listed as? [[String: Any]])
            #expect(entries.map { $0["key"] as? String } == ["page_size", "vendor_token"])
            #expect(entries.first?["value"] as? Int == 50)
            #expect(
                !String(decoding: try JSONSerialization.data(withJSONObject: entries), as: UTF8.self).contains(token))
            #expect((try await world.adminB(.get, "/api/config").json as? [Any])?.isEmpty == true)
            #expect(try await world.memberA(.get, "/api/config").status == .forbidden)

            // In a run: the global address (no organisation value), then the organisation's once set.
            let (_, first) = try await world.adminA(
                .post, "/api/workflows/configure_api/execute", ["input": ["url": "https://contoso.example"]])
            #expect(
                ((first as? [String: Any])?["result"] as? [String: Any])?["api_url"] as? String
                    == "https://global.example")
            let (_, second) = try await world.adminA(.post, "/api/workflows/configure_api/execute", ["input": [:]])
            #expect(
                ((second as? [String: Any])?["result"] as? [String: Any])?["api_url"] as? String
                    == "https://contoso.example")
            let (_, other) = try await world.adminB(.post, "/api/workflows/configure_api/execute", ["input": [:]])
            #expect(
                ((other as? [String: Any])?["result"] as? [String: Any])?["api_url"] as? String
                    == "https://global.example")
            let store = PostgresConfigRepository(
                client: context.database, keys: context.keyRing, logger: TestPostgres.logger)
            #expect(try await store.value("vendor_token", for: .organization(world.orgA))?.value == .string(token))

            // The secret-typed value is sealed at rest.
            let rows = try await context.database.query(
                "SELECT count(*) FROM config AS t WHERE t::text LIKE \("%" + token + "%")", logger: TestPostgres.logger
            )
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
            #expect(try await world.adminA(.delete, "/api/config/page_size").status == .noContent)
            #expect(try await world.adminA(.delete, "/api/config/page_size").status == .notFound)
        }
    }
}

/// A replica's configuration cache forgets a key as soon as another replica changes it.
@Suite struct ConfigCacheTests {
    @Test func aSecretValueIsCachedSealedAndHiddenFromTheRun() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let token = "https://cfg-\(UUID().uuidString).example"
            #expect(
                try await world.adminA(.put, "/api/config/api_url", ["value": token, "type": "secret"]).status == .ok)
            let caller = Caller(
                organizationID: world.orgA, userID: nil, email: nil, name: nil, isPlatformAdmin: false,
                actor: ExecutionActor(label: "test")
            )
            // The PUT's notification comes back to this replica at some point and clears the key: run until a
            // run's read is left in the cache (at most twice, unless the machine is very slow).
            var cached: PostgresConfigRepository.StoredValue?
            _ = try await eventually {
                guard
                    case .finished(let record) = try await context.engine.submit(
                        "configure_api", input: [:], caller: caller)
                else {
                    Issue.record("the run was not synchronous")
                    return true
                }
                #expect(record.status == .success)
                #expect(record.result?.jsonText.contains(token) == false)
                cached = context.engine.configCache.peek("api_url", for: .organization(world.orgA)) ?? nil
                return cached != nil
            }
            // The run's read left the value in this replica's cache as stored: sealed, not in the clear.
            guard case .sealed(let sealed) = cached else {
                Issue.record("cached as \(String(describing: cached))"); return
            }
            #expect(!String(decoding: sealed.sealed, as: UTF8.self).contains(token))
        }
    }

    @Test func aChangeOnOneReplicaShowsInTheNextRunOnAnother() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            try await SecondReplica.with(database: context.database) { replica in
                let caller = Caller(
                    organizationID: world.orgA, userID: nil, email: nil, name: nil, isPlatformAdmin: false,
                    actor: ExecutionActor(label: "test")
                )
                func apiURL() async throws -> String? {
                    guard
                        case .finished(let record) = try await replica.engine.submit(
                            "configure_api", input: [:], caller: caller)
                    else { return nil }
                    return record.result?["api_url"]?.stringValue
                }
                #expect(try await apiURL() == "https://api.example.com")  // the default; now cached on the replica
                #expect(
                    try await world.adminA(
                        .put, "/api/config/api_url", ["value": "https://new.example", "type": "string"]
                    ).status == .ok)
                // The cache would keep the old answer for 30 s; the notification clears it within moments.
                var seen = try await apiURL()
                // Well within the cache's 30 s, so only the notification can make it hold.
                _ = try await eventually(within: .seconds(20)) {
                    seen = try await apiURL()
                    return seen == "https://new.example"
                }
                #expect(seen == "https://new.example")
            }
        }
    }
}

/// Runs read secrets through each replica's cache of sealed values; a change anywhere shows in the next run.
@Suite struct SecretCacheTests {
    @Test func aSecretChangedThroughOneReplicaIsReadInTheNextRunOnAnother() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            try await SecondReplica.with(database: context.database, keyRing: context.keyRing) { replica in
                let caller = Caller(
                    organizationID: world.orgA, userID: nil, email: nil, name: nil, isPlatformAdmin: false,
                    actor: ExecutionActor(label: "test")
                )
                func length() async throws -> Int? {
                    guard
                        case .finished(let record) = try await replica.engine.submit(
                            "check_secret", input: ["name": "api_token"], caller: caller
                        )
                    else { return nil }
                    return record.result?["length"]?.intValue
                }
                #expect(try await length() == nil)  // none yet; the absence is now cached on the replica
                #expect(try await world.adminA(.put, "/api/secrets/api_token", ["value": "12345"]).status == .created)
                var seen = try await length()
                // Well within the cache's 30 s, so only the notification can make it hold.
                _ = try await eventually(within: .seconds(20)) {
                    seen = try await length()
                    return seen == 5
                }
                #expect(seen == 5)
                // Cached now; a new value replaces it, and a deletion removes it, in the next runs.
                #expect(try await world.adminA(.put, "/api/secrets/api_token", ["value": "1234567"]).status == .ok)
                // Well within the cache's 30 s, so only the notification can make it hold.
                _ = try await eventually(within: .seconds(20)) {
                    seen = try await length()
                    return seen == 7
                }
                #expect(seen == 7)
                #expect(try await world.adminA(.delete, "/api/secrets/api_token").status == .noContent)
                // Well within the cache's 30 s, so only the notification can make it hold.
                _ = try await eventually(within: .seconds(20)) {
                    seen = try await length()
                    return seen == nil
                }
                #expect(seen == nil)
            }
        }
    }
}

/// `config.get` converts to the Swift type the workflow asks for, and says clearly when it cannot.
@Suite struct TypedConfigTests {
    @Test func valuesAreConvertedToTheRequestedTypeOrFailTheRunNamingTheKey() async throws {
        try await GatewayHarness.withGatewayAndDatabase(extraWorkflows: [UserLimit.self]) { _, context in
            let org = try await AuthFixtures.createOrganization("A", on: context.database)
            let admin = try await context.caller(
                try await AuthFixtures.createUser(
                    "a@a.example", role: .orgAdmin, organization: org, on: context.database)
            )
            func run() async throws -> [String: Any] {
                let (_, body) = try await admin(.post, "/api/workflows/user_limit/execute", ["input": [:]])
                return try #require(body as? [String: Any])
            }
            #expect((try await run()["result"] as? [String: Any])?["limit"] as? Int == 50)  // the default
            #expect(try await admin(.put, "/api/config/max_users", ["value": 10, "type": "int"]).status == .ok)
            #expect((try await run()["result"] as? [String: Any])?["limit"] as? Int == 10)
            #expect(try await admin(.put, "/api/config/max_users", ["value": "ten", "type": "string"]).status == .ok)
            let failed = try await run()
            #expect(failed["status"] as? String == "Failed")
            #expect(
                failed["error"] as? String == "Configuration value \"max_users\" is not of type Int (it is a string)")
        }
    }
}

/// Reads `max_users` as an `Int`, 50 when unset.
private struct UserLimit: Workflow {
    static let configuration = WorkflowConfiguration("user_limit", description: "Reads a typed value")

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        let limit: Int = try await context.config.get("max_users", default: 50)
        return ["limit": .int(limit)]
    }
}
