import AsyncHTTPClient
import Bifrost
import BifrostStore
import BifrostTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Deactivating an organisation stops everything that runs in its name, on every replica: its signed webhooks
/// are refused, its queued runs are cancelled, and no worker claims one of its runs while it is deactivated.
@Suite struct OrganizationDeactivationTests {
    /// Delivers a signed webhook to `quick_lookup` on `gateway`; returns the status.
    private func deliver(_ sender: WebhookSender, to gateway: RunningGateway) async throws -> Int {
        let body = #"{"id": "42"}"#
        var request = HTTPClientRequest(url: "\(gateway.baseURL)/api/endpoints/quick_lookup")
        request.method = .POST
        for (name, value) in sender.headers(for: body) { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    @Test func aDeactivatedOrganisationsWebhooksAreRefusedByEveryReplica() async throws {
        try await RunningGateway.with { gateway, _ in
            try await gateway.withReplica { replica in
                let admin = Caller(gateway)
                let org = try #require(
                    try await admin(.POST, "/api/organizations", ["name": "Contoso"]).body["id"] as? String)
                let created = try await admin(.POST, "/api/endpoints/quick_lookup/secrets", organization: org)
                let secret = try #require(created.body["secret"] as? String, "\(created.body)")
                let sender = try #require(WebhookSender(secret: secret))
                // The replica verifies a delivery, and keeps the organisation's secret for the next ones.
                #expect(try await deliver(sender, to: replica) == 200)

                #expect(try await admin(.PATCH, "/api/organizations/\(org)", ["is_active": false]).status == 200)
                // Refused as a signature no active secret verifies, here and on the replica that had it cached.
                #expect(try await deliver(sender, to: gateway) == 401)
                let refused = try await eventually { try await deliver(sender, to: replica) == 401 }
                #expect(refused, "the replica kept running webhooks")

                #expect(try await admin(.PATCH, "/api/organizations/\(org)", ["is_active": true]).status == 200)
                let accepted = try await eventually { try await deliver(sender, to: replica) == 200 }
                #expect(accepted, "reactivated, still refused")
            }
        }
    }

    @Test func aDeactivatedOrganisationsQueuedRunsAreCancelledAndNoneIsClaimed() async throws {
        // This process runs no queued run: the runs wait until the replica below starts.
        try await RunningGateway.with(environment: ["BIFROST_WORKFLOWS_WORKERS": "0"]) { gateway, url in
            let admin = Caller(gateway)
            let contoso = try #require(
                try await admin(.POST, "/api/organizations", ["name": "Contoso"]).body["id"] as? String)
            let fabrikam = try #require(
                try await admin(.POST, "/api/organizations", ["name": "Fabrikam"]).body["id"] as? String)
            func queue(in organization: String) async throws -> String {
                let queued = try await admin(
                    .POST, "/api/workflows/wait_for/execute", ["input": ["seconds": 0], "mode": "async"],
                    organization: organization
                )
                return try #require(queued.body["execution_id"] as? String, "\(queued.body)")
            }
            func status(_ execution: String) async throws -> String? {
                try await admin(.GET, "/api/executions/\(execution)").body["status"] as? String
            }
            let queued = [try await queue(in: contoso), try await queue(in: contoso)]

            #expect(try await admin(.PATCH, "/api/organizations/\(contoso)", ["is_active": false]).status == 200)
            for execution in queued { #expect(try await status(execution) == "Cancelled") }

            // A run queued in a race with the deactivation, after its cancellations: older than the other
            // organisation's run, so a claim that did not look at the organisation would take it first.
            let straggler = UUID()
            try await TestPostgres.withClient(url) { database in
                try await PostgresJobQueue(client: database, logger: TestPostgres.logger).enqueue(
                    ExecutionRecord(
                        id: straggler, workflow: "wait_for", organizationID: UUID(uuidString: contoso),
                        status: .pending,
                        input: ["seconds": .double(0)], startedBy: ExecutionActor(label: "test"), createdAt: Date()
                    ))
            }
            let other = try await queue(in: fabrikam)

            try await gateway.withReplica(environment: ["BIFROST_WORKFLOWS_WORKERS": "2"]) { _ in
                let ran = try await eventually { try await status(other) == "Success" }
                #expect(ran, "the other organisation's run did not run")
                #expect(try await status(straggler.uuidString) == "Pending")
                for execution in queued { #expect(try await status(execution) == "Cancelled") }

                // Reactivated, the organisation's waiting run is claimed again.
                #expect(try await admin(.PATCH, "/api/organizations/\(contoso)", ["is_active": true]).status == 200)
                let resumed = try await eventually { try await status(straggler.uuidString) == "Success" }
                #expect(resumed, "the waiting run did not run once its organisation was reactivated")
            }
        }
    }
}
