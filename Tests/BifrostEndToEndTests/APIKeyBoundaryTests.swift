import BifrostTestSupport
import Foundation
import Testing

/// A key restricted to some workflows is a boundary, on a real `bifrost serve`: it hands out no more than it holds,
/// and sees and starts nothing of other workflows (runs, their logs and streams, data providers, webhook secrets).
@Suite struct APIKeyBoundaryTests {
    @Test func aRestrictedKeyHandsOutNoMoreThanItHolds() async throws {
        try await RunningGateway.with { gateway, _ in
            let admin = GatewayCaller(gateway)
            let organization = try #require(
                try await admin(.POST, "/api/organizations", ["name": "Contoso"]).body["id"] as? String)
            let expiry = Date().addingTimeInterval(86_400)
            let restricted = try await Self.key(
                admin, organization,
                ["name": "lookup", "role": "org_admin", "workflows": ["quick_lookup"], "expires_at": Self.text(expiry)]
            )
            let asKey = GatewayCaller(base: gateway.baseURL, token: restricted)
            let refused: [([String: Any], String)] = [
                (["name": "wider", "role": "org_admin", "expires_at": Self.text(expiry)], "workflows"),
                (
                    [
                        "name": "wider", "role": "org_admin", "workflows": ["quick_lookup", "create_user"],
                        "expires_at": Self.text(expiry),
                    ], "workflows"
                ),
                (["name": "forever", "role": "org_admin", "workflows": ["quick_lookup"]], "expires_at"),
                (
                    [
                        "name": "later", "role": "org_admin", "workflows": ["quick_lookup"],
                        "expires_at": Self.text(expiry.addingTimeInterval(3_600)),
                    ], "expires_at"
                ),
                (
                    [
                        "name": "unknown", "role": "org_member", "workflows": ["no_such_workflow"],
                        "expires_at": Self.text(expiry),
                    ], "workflows"
                ),
            ]
            for (body, field) in refused {
                let answer = try await asKey(.POST, "/api/api-keys", body)
                #expect(answer.status == 422, "\(body): \(answer.body)")
                #expect(InputBoundaryTests.fields(answer.body).contains(field), "\(body): \(answer.body)")
            }
            let narrower = try await asKey(
                .POST, "/api/api-keys",
                [
                    "name": "narrower", "role": "org_member", "workflows": ["quick_lookup"],
                    "expires_at": Self.text(expiry.addingTimeInterval(-60)),
                ])
            #expect(narrower.status == 201, "\(narrower.body)")

            // An unrestricted admin key hands out member keys; a member key hands out nothing (its role is not
            // granted key creation at all).
            let adminKey = GatewayCaller(
                base: gateway.baseURL,
                token: try await Self.key(admin, organization, ["name": "a", "role": "org_admin"]))
            #expect(try await adminKey(.POST, "/api/api-keys", ["name": "y", "role": "org_member"]).status == 201)
            let memberKey = GatewayCaller(
                base: gateway.baseURL,
                token: try await Self.key(admin, organization, ["name": "m", "role": "org_member"]))
            #expect(try await memberKey(.POST, "/api/api-keys", ["name": "x", "role": "org_admin"]).status == 403)
        }
    }

    @Test func aRestrictedKeySeesAndStartsOnlyItsWorkflows() async throws {
        try await RunningGateway.with { gateway, _ in
            let admin = GatewayCaller(gateway)
            let organization = try #require(
                try await admin(.POST, "/api/organizations", ["name": "Contoso"]).body["id"] as? String)
            let asKey = GatewayCaller(
                base: gateway.baseURL,
                token: try await Self.key(
                    admin, organization, ["name": "lookup", "role": "org_admin", "workflows": ["quick_lookup"]]
                ))
            let other = try await admin(
                .POST, "/api/workflows/create_user/execute", ["input": ["email": "x@contoso.example"]],
                organization: organization)
            let otherID = try #require(other.body["execution_id"] as? String, "\(other.body)")
            let own = try await asKey(.POST, "/api/workflows/quick_lookup/execute", ["input": ["id": "42"]])
            let ownID = try #require(own.body["execution_id"] as? String, "\(own.body)")

            let listed = try await asKey(.GET, "/api/executions")
            let ids = ((listed.body["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
            #expect(ids == [ownID], "\(listed.body)")
            #expect(try await asKey(.GET, "/api/executions?workflow=create_user").body["items"] as? [Any] != nil)
            #expect(
                ((try await asKey(.GET, "/api/executions?workflow=create_user").body["items"] as? [Any]) ?? [1]).isEmpty
            )
            for path in [
                "/api/executions/\(otherID)", "/api/executions/\(otherID)/logs", "/api/executions/\(otherID)/stream",
            ] {
                #expect(try await asKey(.GET, path).status == 404, "\(path)")
            }
            #expect(try await asKey(.POST, "/api/executions/\(otherID)/cancel").status == 404)
            #expect(try await asKey(.GET, "/api/executions/\(ownID)").status == 200)
            #expect(
                try await asKey(.POST, "/api/workflows/create_user/execute", ["input": ["email": "y@contoso.example"]])
                    .status == 404)
            #expect(try await asKey(.GET, "/api/data-providers/get_departments").status == 404)
            #expect(try await asKey(.POST, "/api/endpoints/create_user/secrets").status == 404)
            #expect(try await asKey(.GET, "/api/workflows/create_user").status == 404)

            let provider = GatewayCaller(
                base: gateway.baseURL,
                token: try await Self.key(
                    admin, organization, ["name": "assign", "role": "org_member", "workflows": ["assign_user"]]
                ))
            #expect(try await provider(.GET, "/api/data-providers/get_departments").status == 200)
        }
    }

    @Test func workflowsThatReadSecretsOrWriteConfigurationAreForAdminsOnly() async throws {
        try await RunningGateway.with { gateway, _ in
            let admin = GatewayCaller(gateway)
            let organization = try #require(
                try await admin(.POST, "/api/organizations", ["name": "Contoso"]).body["id"] as? String)
            let member = GatewayCaller(
                base: gateway.baseURL,
                token: try await Self.key(admin, organization, ["name": "m", "role": "org_member"]))
            let orgAdmin = GatewayCaller(
                base: gateway.baseURL,
                token: try await Self.key(admin, organization, ["name": "a", "role": "org_admin"]))
            for workflow in ["check_secret", "configure_api"] {
                let input: [String: Any] = workflow == "check_secret" ? ["name": "smtp"] : [:]
                #expect(try await member(.POST, "/api/workflows/\(workflow)/execute", ["input": input]).status == 404)
                #expect(try await member(.GET, "/api/workflows/\(workflow)").status == 404)
                #expect(try await orgAdmin(.POST, "/api/workflows/\(workflow)/execute", ["input": input]).status == 200)
            }
        }
    }

    /// A new key in `organization`, created by `creator`; its secret.
    static func key(_ creator: GatewayCaller, _ organization: String, _ body: [String: Any]) async throws -> String {
        let created = try await creator(.POST, "/api/api-keys", body, organization: organization)
        return try #require(created.body["key"] as? String, "\(created.body)")
    }

    static func text(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
